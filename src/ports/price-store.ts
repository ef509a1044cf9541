import type { CandleInterval, CandleView } from '../domain/candles.js';
import type { Quote } from '../domain/daily-stats.js';
import type { Tick } from '../domain/tick.js';
import type { AnalyticsStore } from './analytics-store.js';
import type { Adapter } from './lifecycle.js';

/**
 * PriceStore — latest price, recent history, candles and day statistics per symbol.
 *
 * Guarantees (checked by test/contracts/price-store):
 * - **Compare-and-set on `seq`.** `applyTicks` applies each tick atomically: a tick is accepted only
 *   if its `seq` is greater than the stored `seq` of its symbol; then latest, history, candles and
 *   day statistics change together. A tick with an equal `seq` is a duplicate, a lower one is stale:
 *   neither changes anything, both are counted in the result. Ticks of one batch are applied in
 *   batch order. Concurrent writers (several processors) are safe: the check and the write are one
 *   step.
 * - **Monotonic.** The latest tick of a symbol never goes back to a lower `seq`.
 * - **Bounded.** History keeps the newest `historyLimit` accepted ticks per symbol; each candle
 *   interval keeps the newest `candleLimit` candles.
 * - **Read-your-writes.** Once `applyTicks` resolves, reads on the same store see its effect.
 * - **Analytics** (indicators per candle, movers over windows): see analytics-store.ts.
 */
export interface PriceStore extends Adapter, AnalyticsStore {
  applyTicks(ticks: readonly Tick[]): Promise<ApplyResult>;
  latest(symbol: string): Promise<Tick | undefined>;
  /** The latest tick of each symbol asked for, in the same order, in one round trip. */
  latestMany(symbols: readonly string[]): Promise<(Tick | undefined)[]>;
  /** The latest tick of every symbol that has one. */
  latestAll(): Promise<Tick[]>;
  /** Newest first, at most `limit`. */
  recent(symbol: string, limit: number): Promise<Tick[]>;
  /**
   * Accepted ticks with `seq` greater than `afterSeq`, oldest first. `complete` is false when history
   * no longer reaches back to `afterSeq` (the gap cannot be filled from the store), when the ticks
   * after it have a hole in their `seq` (a tick numbered but never published), and when
   * `afterSeq` is beyond the latest `seq` (the caller saw a sequence this store never had: the
   * source restarted it).
   */
  since(symbol: string, afterSeq: number): Promise<{ ticks: Tick[]; complete: boolean }>;
  /** Oldest first, at most `limit` newest candles. */
  candles(symbol: string, interval: CandleInterval, limit: number): Promise<CandleView[]>;
  quote(symbol: string): Promise<Quote | undefined>;
  /**
   * The stream epoch: names the sequence space of the ticks this store holds. It stays the same
   * while that space continues and changes when it restarts — a new in-memory store (every
   * process), a Redis that was wiped (the epoch key is created once, by whoever comes first). A
   * `seq` means something only within its epoch: the gateway sends the epoch with every tick and
   * answers a resume from another epoch with `recovered:false` and a fresh snapshot. A source that
   * starts a new sequence space (an ingest source, a Kafka topic) reads it here.
   */
  epoch(): Promise<string>;
  quotes(): Promise<Quote[]>;
}

export interface ApplyResult {
  /** Accepted ticks, in the order applied: these, and only these, are published. */
  readonly accepted: Tick[];
  readonly duplicates: number;
  readonly stale: number;
}

export interface PriceStoreLimits {
  readonly historyLimit: number;
  readonly candleLimit: number;
  /** Indicator points kept per symbol and interval; `candleLimit` when unset. */
  readonly indicatorLimit?: number;
}
