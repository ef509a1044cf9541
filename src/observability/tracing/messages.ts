import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { tracer, tracingState } from './state.js';

/**
 * W3C Trace Context in message headers (the order queue): `traceparent` (and `tracestate`) of
 * the publisher's active span, written with the registered propagator as other OpenTelemetry
 * tools read them. Nothing is written when tracing is off or nothing is being traced.
 */
export function traceHeaders(): Record<string, string> | undefined {
  if (!tracingState.on || !trace.getActiveSpan()) return undefined;
  const headers: Record<string, string> = {};
  propagation.inject(context.active(), headers);
  return headers.traceparent === undefined ? undefined : headers;
}

/**
 * Runs a message's handler inside a `<queue> process` consumer span, the child of the context its
 * headers carry; the handler's own spans and log lines belong to that trace. A message without
 * context (tracing off, an untraced publisher) just runs.
 */
export async function handleTraced<R>(queue: string, system: string, headers: Readonly<Record<string, unknown>> | undefined, handle: () => Promise<R>): Promise<R> {
  if (!tracingState.on || typeof headers?.traceparent !== 'string') return handle();
  const parent = propagation.extract(ROOT_CONTEXT, headers, {
    get: (carrier, key) => {
      const value = carrier[key];
      return typeof value === 'string' ? value : undefined;
    },
    keys: (carrier) => Object.keys(carrier),
  });
  const span = tracer().startSpan(`${queue} process`, { kind: SpanKind.CONSUMER, attributes: { 'messaging.system': system, 'messaging.operation.type': 'process', 'messaging.destination.name': queue } }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), handle);
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
  }
}
