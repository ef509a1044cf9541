import type { SpanContext } from '@opentelemetry/api';
import { tracingState } from './state.js';

/**
 * The trace context that travels with a value (a tick) from one stage to the next: the W3C
 * `traceparent` of the span that last handled it. Inside a process a value moves by reference (the
 * memory log, the memory pub/sub, store → publish), so the context is kept beside it in a WeakMap
 * rather than on the value: domain objects stay as they are and nothing is left behind when the
 * value is collected. Across a process boundary the codecs and adapters write it out (the tick's
 * `tp` field, a Kafka `traceparent` header) and read it back into this map.
 *
 * Only sampled values ever get an entry, so an unsampled tick costs a boolean check with tracing
 * on, and nothing is encoded for it.
 */
const carried = new WeakMap<object, SpanContext>();

/** The context carried by `value`, if tracing is on and it has one. */
export function carriedContext(value: object): SpanContext | undefined {
  return tracingState.on ? carried.get(value) : undefined;
}

/** Attaches `context` (of a sampled span) to `value`, replacing what it carried. */
export function carry(value: object, context: SpanContext): void {
  carried.set(value, context);
}

/** The W3C traceparent of `value`'s carried context, for a codec that writes it out. */
export function carriedTraceparent(value: object): string | undefined {
  if (!tracingState.on) return undefined;
  const context = carried.get(value);
  return context ? formatTraceparent(context) : undefined;
}

/** Reads a traceparent written by `carriedTraceparent` (or any W3C producer) and attaches it to `value`. */
export function carryTraceparent(value: object, traceparent: unknown): void {
  if (!tracingState.on || typeof traceparent !== 'string') return;
  const context = parseTraceparent(traceparent);
  if (context) carried.set(value, context);
}

/** `00-<trace id>-<span id>-<flags>` (W3C Trace Context, version 00). */
export function formatTraceparent(context: SpanContext): string {
  return `00-${context.traceId}-${context.spanId}-${context.traceFlags & 1 ? '01' : '00'}`;
}

const TRACEPARENT = /^([\da-f]{2})-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/;
const INVALID_TRACE = /^0+$/;

/** The remote context of a W3C traceparent; undefined for anything malformed or all-zero. */
export function parseTraceparent(value: string): SpanContext | undefined {
  const m = TRACEPARENT.exec(value);
  if (!m || m[1] === 'ff' || INVALID_TRACE.test(m[2]!) || INVALID_TRACE.test(m[3]!)) return undefined;
  return { traceId: m[2]!, spanId: m[3]!, traceFlags: parseInt(m[4]!, 16) & 1, isRemote: true };
}
