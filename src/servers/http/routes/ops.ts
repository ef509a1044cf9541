import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { Metrics } from '../../../observability/metrics.js';
import type { Adapter } from '../../../ports/lifecycle.js';

interface OpsOptions {
  readonly metrics: Metrics;
  readonly adapters: Readonly<Record<string, Adapter>>;
}

const READY_TIMEOUT_MS = 2_000;

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

/** Liveness, readiness and Prometheus metrics. */
export const opsRoutes: FastifyPluginAsync<OpsOptions> = async (app, { metrics, adapters }) => {
  const startedAt = Date.now();

  app.get('/health', {
    schema: { tags: ['ops'], summary: 'Liveness: the process is up', response: { 200: Type.Object({ status: Type.Literal('ok'), uptime: Type.Number({ description: 'Seconds since start.' }) }) } },
  }, async () => ({ status: 'ok' as const, uptime: Math.round((Date.now() - startedAt) / 1000) }));

  const ReadySchema = Type.Object({ status: Type.Union([Type.Literal('ready'), Type.Literal('not ready')]), checks: Type.Record(Type.String(), Type.String()) });
  app.get('/ready', {
    schema: { tags: ['ops'], summary: 'Readiness: every adapter this process uses answers', response: { 200: ReadySchema, 503: ReadySchema } },
  }, async (_request, reply) => {
    const checks: Record<string, string> = {};
    await Promise.all(
      Object.entries(adapters).map(async ([name, adapter]) => {
        try {
          await withTimeout(adapter.ping(), READY_TIMEOUT_MS);
          checks[name] = 'ok';
        } catch (error) {
          checks[name] = error instanceof Error ? error.message : String(error);
        }
      }),
    );
    const ready = Object.values(checks).every((c) => c === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });

  app.get('/metrics', { schema: { tags: ['ops'], summary: 'Prometheus metrics (text exposition format)' } }, async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
};
