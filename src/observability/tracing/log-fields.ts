import { isSpanContextValid, trace } from '@opentelemetry/api';
import { tracingState } from './state.js';

/**
 * pino's mixin: the active span's ids on every line written inside it, named as OpenTelemetry's
 * log data model and its pino instrumentation name them, so a log backend links lines to traces.
 * A fresh object each time: pino merges the line's own fields into what the mixin returns.
 */
export function traceFields(): object {
  if (!tracingState.on) return {};
  const span = trace.getActiveSpan();
  if (!span) return {};
  const context = span.spanContext();
  if (!isSpanContextValid(context)) return {};
  return { trace_id: context.traceId, span_id: context.spanId, trace_flags: context.traceFlags & 1 ? '01' : '00' };
}
