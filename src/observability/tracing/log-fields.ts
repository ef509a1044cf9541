import { isSpanContextValid, trace } from '@opentelemetry/api';
import { tracingState } from './state.js';

const NONE = Object.freeze({});

/**
 * pino's mixin: the active span's ids on every line written inside it, named as OpenTelemetry's
 * log data model and its pino instrumentation name them, so a log backend links lines to traces.
 */
export function traceFields(): object {
  if (!tracingState.on) return NONE;
  const span = trace.getActiveSpan();
  if (!span) return NONE;
  const context = span.spanContext();
  if (!isSpanContextValid(context)) return NONE;
  return { trace_id: context.traceId, span_id: context.spanId, trace_flags: context.traceFlags & 1 ? '01' : '00' };
}
