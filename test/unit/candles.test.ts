import { describe, expect, it } from 'vitest';
import { addToCandles, bucketStart, CANDLE_INTERVALS, isCandleInterval, type Candle } from '../../src/domain/candles.js';
import { aTick, T0 } from '../support/ticks.js';

const SEC = CANDLE_INTERVALS['1s'];
const MIN = CANDLE_INTERVALS['1m'];
const start = bucketStart(T0, MIN);

function build(ticks: Parameters<typeof aTick>[0][], limit = 100, interval: number = MIN): Candle[] {
  const series: Candle[] = [];
  ticks.forEach((t, i) => addToCandles(series, aTick({ seq: i + 1, ...t }), interval, limit));
  return series;
}

describe('addToCandles', () => {
  it('buckets ticks by interval start and keeps the series ascending', () => {
    const series = build([{ ts: start + 5 }, { ts: start + MIN - 1 }, { ts: start + MIN }, { ts: start + 3 * MIN + 7 }]);
    expect(series.map((c) => c.time)).toEqual([start, start + MIN, start + 3 * MIN]);
    expect(series.map((c) => c.trades)).toEqual([2, 1, 1]);
  });

  it('computes open, high, low, close, volume and trades of in-order ticks', () => {
    const prices = [10, 12, 9, 11];
    const sizes = [1, 2, 3, 4];
    const [c] = build(prices.map((price, i) => ({ price, size: sizes[i], ts: start + i })));
    expect(c).toMatchObject({ open: 10, high: 12, low: 9, close: 11, volume: 10, trades: 4 });
  });

  it('a tick stamped before the close keeps the close but counts in high, low and volume', () => {
    const [c] = build([
      { price: 10, ts: start + 100, size: 1 },
      { price: 11, ts: start + 300, size: 1 },
      { price: 20, ts: start + 200, size: 5 },
      { price: 5, ts: start + 250, size: 5 },
    ]);
    expect(c).toMatchObject({ open: 10, close: 11, high: 20, low: 5, volume: 12, trades: 4 });
  });

  it('a tick stamped before the open becomes the open', () => {
    const [c] = build([
      { price: 10, ts: start + 100 },
      { price: 11, ts: start + 300 },
      { price: 7, ts: start + 50 },
    ]);
    expect(c).toMatchObject({ open: 7, close: 11, low: 7 });
  });

  it('equal timestamps are ordered by seq', () => {
    const [c] = build([
      { price: 10, ts: start, seq: 5 },
      { price: 12, ts: start, seq: 7 },
      { price: 11, ts: start, seq: 6 },
      { price: 9, ts: start, seq: 4 },
    ]);
    expect(c).toMatchObject({ open: 9, close: 12 });
  });

  it('a tick of an older bucket updates that bucket', () => {
    const series = build([{ price: 10, ts: start }, { price: 20, ts: start + MIN }, { price: 15, ts: start + 10, size: 3 }]);
    expect(series.map((c) => c.close)).toEqual([15, 20]);
    expect(series[0]).toMatchObject({ high: 15, volume: 100 + 3, trades: 2 });
    expect(series[1]!.trades).toBe(1);
  });

  it('a tick of a missing older bucket is inserted in order', () => {
    const series = build([{ ts: start }, { ts: start + 3 * MIN }, { ts: start + MIN, price: 42 }, { ts: start - MIN }]);
    expect(series.map((c) => c.time)).toEqual([start - MIN, start, start + MIN, start + 3 * MIN]);
    expect(series[2]).toMatchObject({ open: 42, close: 42, trades: 1 });
  });

  it('returns the candle the tick landed in', () => {
    const series: Candle[] = [];
    const landed = addToCandles(series, aTick({ ts: start }), MIN, 10);
    expect(landed).toBe(series[0]);
  });

  it('keeps at most `limit` candles, evicting the oldest', () => {
    const series = build(Array.from({ length: 8 }, (_, i) => ({ ts: start + i * SEC })), 3, SEC);
    expect(series.map((c) => c.time)).toEqual([start + 5 * SEC, start + 6 * SEC, start + 7 * SEC]);
  });

  it('stays within `limit` when a full series gets a bucket between kept ones', () => {
    const series = build([{ ts: start }, { ts: start + 2 * SEC }, { ts: start + 3 * SEC }, { ts: start + SEC }], 3, SEC);
    expect(series.map((c) => c.time)).toEqual([start + SEC, start + 2 * SEC, start + 3 * SEC]);
  });

  it('ignores a tick older than every kept candle once the series is full', () => {
    const series = build([{ ts: start + SEC }, { ts: start + 2 * SEC }], 2, SEC);
    const before = structuredClone(series);
    expect(addToCandles(series, aTick({ ts: start, seq: 9 }), SEC, 2)).toBeUndefined();
    expect(series).toEqual(before);
  });
});

describe('candle intervals', () => {
  it('recognises only the documented names', () => {
    expect(Object.keys(CANDLE_INTERVALS).every(isCandleInterval)).toBe(true);
    expect(['2m', '', 'toString', '1S'].some(isCandleInterval)).toBe(false);
  });
});
