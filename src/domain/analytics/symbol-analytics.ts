import { addToCandles, bucketStart, CANDLE_INTERVAL_NAMES, CANDLE_INTERVALS, candleView, type Candle, type CandleInterval, type CandleView } from '../candles.js';
import type { Tick } from '../tick.js';
import type { IndicatorSpec, IndicatorValues } from './catalogue.js';
import { IndicatorSet } from './indicator-set.js';

/** The indicator values of one candle: `time` is the candle's bucket start, as in /api/v1/candles. */
export interface IndicatorPoint {
  readonly symbol: string;
  readonly interval: CandleInterval;
  readonly time: number;
  readonly values: IndicatorValues;
}

/** One candle interval of a symbol: its candles, built exactly as the price store builds them, and their indicators. */
class Series {
  readonly candles: Candle[] = [];
  indicators: IndicatorSet;
  /** Bucket start of the candle the indicators were fed last (undefined: none yet). */
  private fedTime: number | undefined;
  /** The newest candle changed since it was last fed. */
  private dirty = false;
  /** A late tick changed a candle before the newest: every value from there on must be recomputed. */
  private rebuild = false;

  constructor(
    readonly interval: CandleInterval,
    private readonly spec: IndicatorSpec,
    private readonly limit: number,
  ) {
    this.indicators = new IndicatorSet(spec);
  }

  add(tick: Tick, out: IndicatorPoint[]): void {
    const newest = this.candles[this.candles.length - 1];
    const time = bucketStart(tick.ts, CANDLE_INTERVALS[this.interval]);
    // A new candle closes the previous one: give the indicators its final state first.
    if (newest !== undefined && time > newest.time && this.dirty) this.feedNewest(tick.symbol, out);
    if (addToCandles(this.candles, tick, CANDLE_INTERVALS[this.interval], this.limit) === undefined) return;
    if (time < this.candles[this.candles.length - 1]!.time) this.rebuild = true;
    else this.dirty = true;
  }

  /** Brings the indicators up to date with the candles; appends the points that changed. */
  flush(symbol: string, out: IndicatorPoint[]): void {
    if (this.rebuild) this.replay(symbol, out);
    else if (this.dirty) this.feedNewest(symbol, out);
  }

  /**
   * Starts over from `candles` (oldest first, the newest possibly still forming). The stored form
   * has no open/close bookkeeping: the latest tick is taken as the close of its candle, so a late
   * tick after the restart does not move that close backwards.
   */
  restore(candles: readonly CandleView[], latest: { ts: number; seq: number } | undefined): void {
    this.candles.length = 0;
    for (const c of candles) {
      const holdsLatest = latest !== undefined && bucketStart(latest.ts, CANDLE_INTERVALS[this.interval]) === c.time;
      this.candles.push({ ...c, openTs: c.time, openSeq: 0, closeTs: holdsLatest ? latest.ts : c.time, closeSeq: holdsLatest ? latest.seq : 0 });
    }
    this.replay(undefined, undefined);
  }

  private feedNewest(symbol: string, out: IndicatorPoint[]): void {
    const newest = this.candles[this.candles.length - 1]!;
    const values = this.indicators.update(candleView(newest), newest.time === this.fedTime);
    this.fedTime = newest.time;
    this.dirty = false;
    out.push({ symbol, interval: this.interval, time: newest.time, values });
  }

  private replay(symbol: string | undefined, out: IndicatorPoint[] | undefined): void {
    this.indicators = new IndicatorSet(this.spec);
    for (const candle of this.candles) {
      const values = this.indicators.update(candleView(candle), false);
      if (symbol !== undefined) out?.push({ symbol, interval: this.interval, time: candle.time, values });
    }
    this.fedTime = this.candles[this.candles.length - 1]?.time;
    this.dirty = false;
    this.rebuild = false;
  }
}

/**
 * Everything the analytics role keeps about one symbol: candles and indicators per interval. Ticks are taken like the price store takes them (compare-and-set on
 * `seq`), so the candles here are the ones `/api/v1/candles` serves.
 */
export class SymbolAnalytics {
  private readonly series: Series[];
  private lastSeq = 0;

  constructor(
    readonly symbol: string,
    spec: IndicatorSpec,
    candleLimit: number,
  ) {
    this.series = CANDLE_INTERVAL_NAMES.map((interval) => new Series(interval, spec, candleLimit));
  }

  /** False for a duplicate or stale tick (`seq` not newer than the last taken), which changes nothing. */
  add(tick: Tick, out: IndicatorPoint[]): boolean {
    if (tick.seq <= this.lastSeq) return false;
    this.lastSeq = tick.seq;
    for (const s of this.series) s.add(tick, out);
    return true;
  }

  /** Call after a batch of `add`s: the forming candles' values, recomputed once per batch. */
  flush(out: IndicatorPoint[]): void {
    for (const s of this.series) s.flush(this.symbol, out);
  }

  /** Continues from stored state: the candles of each interval and the latest tick. */
  restore(candles: Readonly<Record<CandleInterval, readonly CandleView[]>>, latest: Tick): void {
    for (const s of this.series) s.restore(candles[s.interval], latest);
    this.lastSeq = latest.seq;
  }

  candles(interval: CandleInterval): readonly Candle[] {
    return this.series.find((s) => s.interval === interval)!.candles;
  }
}
