import { attachLogPosition, logPositionOf, parseLogPosition } from '../domain/log-position.js';
import { parseTick, type Tick } from '../domain/tick.js';
import { carriedTraceparent, carryTraceparent } from '../observability/tracing/carrier.js';

/**
 * How values cross a process boundary. `decode` returns undefined for a record it cannot read
 * (written by a bad producer): adapters skip and count such records instead of crashing the reader.
 * `encode` writes JSON text without a newline (JSON.stringify's output): RedisPubSub packs several
 * messages into one PUBLISH, one per line.
 */
export interface Codec<T> {
  encode(value: T, options?: EncodeOptions): string;
  decode(raw: string | Buffer): T | undefined;
}

export interface EncodeOptions {
  /**
   * Whether a value's trace context (see observability/tracing/carrier.ts) is written into the
   * text; true by default. An adapter with a place of its own for it (a Kafka header) says false.
   */
  readonly traceContext?: boolean;
}

/**
 * Ticks as JSON. A sampled tick (tracing on) also has `tp`, the W3C traceparent of the span that
 * last handled it, so its trace continues in the process that reads it (Redis Streams entries,
 * Redis pub/sub messages); unsampled ticks are written exactly as without tracing. Readers of
 * earlier versions ignore the field (parseTick keeps the known ones). A tick the processor
 * published also has `partition` and `offset`, its place in the event log (domain/log-position.ts),
 * read back beside the tick on the other side.
 */
export const tickCodec: Codec<Tick> = {
  encode(t, options) {
    const tp = options?.traceContext === false ? undefined : carriedTraceparent(t);
    const at = logPositionOf(t);
    if (tp === undefined && at === undefined) return JSON.stringify({ symbol: t.symbol, price: t.price, size: t.size, ts: t.ts, seq: t.seq, source: t.source });
    return JSON.stringify({ symbol: t.symbol, price: t.price, size: t.size, ts: t.ts, seq: t.seq, source: t.source, tp, partition: at?.partition, offset: at?.offset });
  },
  decode(raw) {
    try {
      const parsed: unknown = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
      const tick = parseTick(parsed);
      if (tick !== undefined) {
        const { tp, partition, offset } = parsed as { tp?: unknown; partition?: unknown; offset?: unknown };
        if (tp !== undefined) carryTraceparent(tick, tp);
        const at = partition === undefined ? undefined : parseLogPosition(partition, offset);
        if (at !== undefined) attachLogPosition(tick, at);
      }
      return tick;
    } catch {
      return undefined;
    }
  },
};
