import negotiate from '@fastify/accept-negotiator';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Metrics } from '../../../observability/metrics.js';
import type { Traffic } from '../../../observability/traffic.js';
import type { Adapter } from '../../../ports/lifecycle.js';
import { readiness } from '../../../observability/readiness.js';

interface OpsOptions {
  readonly metrics: Metrics;
  readonly adapters: Readonly<Record<string, Adapter>>;
  readonly traffic: Traffic;
}

const HealthSchema = Type.Object({
  status: Type.Literal('healthy', { description: 'Always `healthy` while the process answers (the kafka-stream-sim bridge’s value).' }),
  timestamp: Type.String({ format: 'date-time' }),
  uptime: Type.Number({ description: 'Seconds since start.' }),
  metrics: Type.Object({
    connectedClients: Type.Integer(),
    messagesPerSecond: Type.Number(),
    uptime: Type.Integer({ description: 'Milliseconds since start.' }),
  }),
});

/** Liveness, readiness and metrics (Prometheus text, or the kafka-stream-sim bridge's JSON on request). */
export const opsRoutes: FastifyPluginAsyncTypebox<OpsOptions> = async (app, { metrics, adapters, traffic }) => {
  app.get('/health', {
    schema: { tags: ['ops'], summary: 'Liveness: the process is up', response: { 200: HealthSchema } },
  }, async () => {
    const figures = await traffic.figures();
    return {
      status: 'healthy' as const,
      timestamp: new Date().toISOString(),
      uptime: Math.round(figures.uptime / 1000),
      metrics: { connectedClients: figures.connectedClients, messagesPerSecond: figures.messagesPerSecond, uptime: figures.uptime },
    };
  });

  const ReadySchema = Type.Object({ status: Type.Union([Type.Literal('ready'), Type.Literal('not ready')]), checks: Type.Record(Type.String(), Type.String()) });
  app.get('/ready', {
    schema: { tags: ['ops'], summary: 'Readiness: every adapter this process uses answers', response: { 200: ReadySchema, 503: ReadySchema } },
  }, async (_request, reply) => {
    const { ready, checks } = await readiness(adapters);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });

  app.get('/metrics', {
    schema: {
      tags: ['ops'],
      summary: 'Prometheus metrics (text exposition format); with `Accept: application/json`, `{messagesProcessed, connectedClients, uptime, startTime}`',
    },
  }, async (request, reply) => {
    // Scrapers ask for text or openmetrics; the seed's dashboards ask for JSON.
    if (negotiate(request.headers.accept ?? '', ['application/json', 'text/plain']) === 'application/json') {
      const { messagesProcessed, connectedClients, uptime, startTime } = await traffic.figures();
      return reply.type('application/json; charset=utf-8').send({ messagesProcessed, connectedClients, uptime, startTime });
    }
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
};
