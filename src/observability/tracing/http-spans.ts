import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { tracer } from './state.js';

interface RequestTrace {
  readonly span: Span;
  readonly context: Context;
}

const requests = new WeakMap<FastifyRequest, RequestTrace>();

/**
 * A server span per HTTP request (`GET /api/v1/quotes`: method and route pattern), the child of
 * the caller's `traceparent` header. Its context is made active for the handler, so what the
 * handler does (an order published to the queue, ticks appended) joins the trace, and its log
 * lines carry `trace_id` (logger.ts); the request's own log line does too. Installed only when
 * tracing is on, before the request log line's hook so that line runs inside the span.
 *
 * Fastify runs a hook's successors from its `done`: calling it inside `context.with` makes the
 * context active for the rest of the phase. Body parsing breaks that chain, so the context is
 * entered again in `preHandler`, and once more for `onResponse` (the request log line).
 */
export function installHttpTracing(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const route = request.routeOptions.url;
    const span = tracer().startSpan(route ? `${request.method} ${route}` : request.method, {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': request.method, 'url.path': request.url.split('?')[0], 'http.route': route, 'http.request.id': request.id },
    }, parent);
    const active = trace.setSpan(parent, span);
    requests.set(request, { span, context: active });
    context.with(active, done);
  });
  app.addHook('preHandler', (request, reply, done) => {
    const traced = requests.get(request);
    if (traced) context.with(traced.context, done);
    else done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const traced = requests.get(request);
    if (!traced) return done();
    requests.delete(request);
    const status = reply.statusCode;
    traced.span.setAttribute('http.response.status_code', status);
    if (status >= 500) traced.span.setStatus({ code: SpanStatusCode.ERROR });
    traced.span.end();
    context.with(traced.context, done);
  });
}
