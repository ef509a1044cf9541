import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Metrics } from '../../observability/metrics.js';

const REQUEST_ID_HEADER = 'x-request-id';

/** A client's id is kept when it is a sane token; anything else (too long, odd bytes) is replaced. */
const CLIENT_ID = /^[\w.:@/+=-]{1,128}$/;

/** Fastify's `genReqId`: the caller's `x-request-id` when usable, else a fresh UUID. */
export function requestId(request: { headers: Record<string, string | string[] | undefined> }): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && CLIENT_ID.test(given) ? given : randomUUID();
}

/** Probes and scrapes come every few seconds from machines: at info they would drown the log. */
const SCRAPES = new Set(['/health', '/ready', '/metrics']);

function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}

/**
 * One log line and one histogram sample per HTTP request, labelled by the route pattern (never the
 * raw URL, so an id in a path does not make a new series), and the request id echoed back.
 * WebSocket upgrades never reach Fastify's routing, so they are not counted here.
 */
export function installRequestTelemetry(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onRequest', async (request, reply) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = routeOf(request);
    const status = reply.statusCode;
    const ms = reply.elapsedTime;
    metrics.httpRequestDuration.observe({ method: request.method, route, status: String(status) }, ms / 1000);
    const line = { method: request.method, route, url: request.url, status, ms: Math.round(ms * 100) / 100 };
    if (SCRAPES.has(route)) request.log.debug(line, 'request');
    else request.log.info(line, 'request');
  });
}
