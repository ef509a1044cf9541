import type { Tick } from './tick.js';

export const CANDLE_INTERVALS = { '1s': 1_000, '1m': 60_000, '5m': 300_000, '1h': 3_600_000 } as const;
export type CandleInterval = keyof typeof CANDLE_INTERVALS;
export const CANDLE_INTERVAL_NAMES = Object.keys(CANDLE_INTERVALS) as CandleInterval[];

export function isCandleInterval(value: string): value is CandleInterval {
  return Object.hasOwn(CANDLE_INTERVALS, value);
}

/** OHLCV over [time, time + interval). */
export interface Candle {
  /** Bucket start, epoch ms. */
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  trades: number;
  /**
   * Open and close belong to the earliest and latest tick by (ts, seq): ticks may arrive with a
   * source timestamp earlier than one already counted, and must not move the close backwards.
   */
  openTs: number;
  openSeq: number;
  closeTs: number;
  closeSeq: number;
}

function isBefore(ts: number, seq: number, otherTs: number, otherSeq: number): boolean {
  return ts < otherTs || (ts === otherTs && seq < otherSeq);
}

export function bucketStart(ts: number, intervalMs: number): number {
  return Math.floor(ts / intervalMs) * intervalMs;
}

/**
 * Adds a tick to a series kept in ascending `time` order with at most `limit` candles.
 * A tick older than the oldest kept candle is ignored (its bucket was evicted). Returns the
 * candle the tick landed in, or undefined.
 */
export function addToCandles(series: Candle[], tick: Tick, intervalMs: number, limit: number): Candle | undefined {
  const time = bucketStart(tick.ts, intervalMs);
  const last = series[series.length - 1];
  if (last === undefined || time > last.time) {
    const candle = newCandle(time, tick);
    series.push(candle);
    if (series.length > limit) series.splice(0, series.length - limit);
    return candle;
  }
  // Out of order by source time: find (or insert) the bucket, newest first since that is the likely case.
  let i = series.length - 1;
  while (i >= 0 && series[i]!.time > time) i--;
  if (i >= 0 && series[i]!.time === time) {
    mergeInto(series[i]!, tick);
    return series[i];
  }
  if (i < 0 && series.length >= limit) return undefined;
  const candle = newCandle(time, tick);
  series.splice(i + 1, 0, candle);
  // Inserted between kept candles (i >= 0): the oldest one goes, never the new one.
  if (series.length > limit) series.splice(0, series.length - limit);
  return candle;
}

export function newCandle(time: number, t: Tick): Candle {
  return {
    time,
    open: t.price,
    high: t.price,
    low: t.price,
    close: t.price,
    volume: t.size,
    trades: 1,
    openTs: t.ts,
    openSeq: t.seq,
    closeTs: t.ts,
    closeSeq: t.seq,
  };
}

/** Folds a tick into the candle of its bucket. */
export function mergeInto(c: Candle, t: Tick): void {
  if (t.price > c.high) c.high = t.price;
  if (t.price < c.low) c.low = t.price;
  c.volume += t.size;
  c.trades += 1;
  if (isBefore(t.ts, t.seq, c.openTs, c.openSeq)) {
    c.open = t.price;
    c.openTs = t.ts;
    c.openSeq = t.seq;
  }
  if (!isBefore(t.ts, t.seq, c.closeTs, c.closeSeq)) {
    c.close = t.price;
    c.closeTs = t.ts;
    c.closeSeq = t.seq;
  }
}

/** The public shape: the bookkeeping fields stay inside the store. */
export interface CandleView {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  trades: number;
}

export function candleView(c: Candle): CandleView {
  return { time: c.time, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume, trades: c.trades };
}
