import type { Candle, Tick } from './types.js';

/**
 * The candles of one symbol at one interval: history from REST, extended by live ticks. Tracks
 * what changed since the chart last drew, so the chart can apply only that once per frame.
 */
export class CandleSeries {
  private candles: Candle[] = [];
  private readonly changed = new Set<number>();
  /** Set when the chart must redraw everything (history loaded, old candles dropped, out of order). */
  private reset = true;

  constructor(
    readonly intervalMs: number,
    private readonly limit = 2_000,
  ) {}

  get length(): number {
    return this.candles.length;
  }

  get all(): readonly Candle[] {
    return this.candles;
  }

  get last(): Candle | undefined {
    return this.candles[this.candles.length - 1];
  }

  /**
   * Merges REST history in: candles from the server replace what is kept from their first bucket
   * on (the server saw every tick), older ones kept here stay (a restarted server has no history).
   */
  load(history: readonly Candle[]): void {
    if (history.length === 0) return;
    const from = history[0]!.time;
    const older = this.candles.filter((c) => c.time < from);
    const newer = this.candles.filter((c) => c.time > history[history.length - 1]!.time);
    this.candles = [...older, ...history, ...newer];
    this.trim();
    this.reset = true;
  }

  /** Folds a tick into its bucket; returns the candle it landed in. */
  add(tick: Tick): Candle | undefined {
    const time = Math.floor(tick.ts / this.intervalMs) * this.intervalMs;
    const n = this.candles.length;
    const last = this.candles[n - 1];
    if (last === undefined || time > last.time) {
      const candle = { time, open: tick.price, high: tick.price, low: tick.price, close: tick.price, volume: tick.size, trades: 1 };
      this.candles.push(candle);
      this.changed.add(time);
      this.trim();
      return candle;
    }
    let i = n - 1;
    while (i >= 0 && this.candles[i]!.time > time) i--;
    const at = this.candles[i];
    if (at === undefined || at.time !== time) return undefined; // older than what is kept, or a hole: leave history alone
    const merged: Candle = {
      time,
      open: at.open,
      high: Math.max(at.high, tick.price),
      low: Math.min(at.low, tick.price),
      // Source time decides the close; within a bucket ticks arrive in seq order.
      close: i === n - 1 ? tick.price : at.close,
      volume: at.volume + tick.size,
      trades: at.trades + 1,
    };
    this.candles[i] = merged;
    if (i === n - 1) this.changed.add(time);
    else this.reset = true;
    return merged;
  }

  /** What to draw since the last call: everything, or the changed candles oldest first. */
  takeChanges(): { reset: true; candles: readonly Candle[] } | { reset: false; candles: Candle[] } {
    if (this.reset) {
      this.reset = false;
      this.changed.clear();
      return { reset: true, candles: this.candles };
    }
    const out: Candle[] = [];
    for (const c of this.candles.slice(-Math.max(1, this.changed.size))) if (this.changed.has(c.time)) out.push(c);
    this.changed.clear();
    return { reset: false, candles: out };
  }

  /** The chart redraws everything on its next frame (a new chart, a theme change). */
  invalidate(): void {
    this.reset = true;
  }

  private trim(): void {
    if (this.candles.length > this.limit) {
      this.candles.splice(0, this.candles.length - this.limit);
      this.reset = true;
    }
  }
}
