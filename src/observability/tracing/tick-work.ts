import { context, ROOT_CONTEXT, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { carriedContext } from './carrier.js';
import { tracer } from './state.js';

/**
 * Runs a role's work on one tick (an alert evaluation) in a span of that tick's trace when the tick
 * is sampled; otherwise just runs it.
 */
export async function traceTickWork<R>(name: string, tick: object, attributes: Attributes, work: () => Promise<R>): Promise<R> {
  const parent = carriedContext(tick);
  if (!parent) return work();
  const span = tracer().startSpan(name, { attributes }, trace.setSpanContext(ROOT_CONTEXT, parent));
  try {
    return await context.with(trace.setSpan(context.active(), span), work);
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
  }
}
