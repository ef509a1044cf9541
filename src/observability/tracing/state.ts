import { trace, type Span, type SpanContext, type Tracer } from '@opentelemetry/api';

/**
 * Whether this process traces. False until the SDK was started (see start.ts), so the code on the
 * hot path asks one boolean before doing anything for tracing: with tracing off nothing else runs,
 * and the SDK is not even loaded.
 */
export const tracingState: { on: boolean; rootRatio?: number } = { on: false };

/** The instrumentation scope of every span tickstream makes. */
const SCOPE = 'tickstream';

let cached: Tracer | undefined;

/** The tracer (a no-op one while the SDK is not started). */
export function tracer(): Tracer {
  cached ??= trace.getTracer(SCOPE);
  return cached;
}

/** Forgets the tracer, for a process that starts the SDK after having asked for one. */
export function resetTracer(): void {
  cached = undefined;
}

/** The context to hand on for `span`, or undefined when it is not sampled (nothing to carry). */
export function sampledContext(span: Span): SpanContext | undefined {
  const context = span.spanContext();
  return (context.traceFlags & 1) === 1 ? context : undefined;
}
