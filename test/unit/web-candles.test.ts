import { describe, expect, it } from 'vitest';
import { CandleSeries } from '../../web/src/lib/candles.js';
import type { Candle, Tick } from '../../web/src/lib/types.js';

const t = (ts: number, price: number, size = 10, seq = ts): Tick => ({ symbol: 'AAPL', price, size, seq, ts });
const c = (time: number, close: number): Candle => ({ time, open: close, high: close, low: close, close, volume: 1, trades: 1 });

describe('CandleSeries (the chart’s candles)', () => {
  it('folds ticks into OHLCV buckets of the interval', () => {
    const s = new CandleSeries(1_000);
    for (const tick of [t(1_000, 10), t(1_400, 12), t(1_900, 9), t(2_000, 11, 5)]) s.add(tick);
    expect(s.all).toEqual([
      { time: 1_000, open: 10, high: 12, low: 9, close: 9, volume: 30, trades: 3 },
      { time: 2_000, open: 11, high: 11, low: 11, close: 11, volume: 5, trades: 1 },
    ]);
  });

  it('reports a full redraw first, then only the candles that changed, oldest first', () => {
    const s = new CandleSeries(1_000);
    s.add(t(1_000, 10));
    expect(s.takeChanges().reset).toBe(true);
    s.add(t(1_500, 11));
    s.add(t(2_100, 12));
    s.add(t(3_100, 13));
    const changes = s.takeChanges();
    expect(changes.reset).toBe(false);
    expect(changes.candles.map((x) => x.time)).toEqual([1_000, 2_000, 3_000]);
    expect(s.takeChanges().candles).toEqual([]);
  });

  it('history from REST replaces what it covers and keeps older local candles (a restarted server has none)', () => {
    const s = new CandleSeries(1_000);
    s.add(t(1_000, 1));
    s.add(t(2_000, 2));
    s.add(t(3_000, 3));
    s.takeChanges();
    s.load([c(2_000, 20), c(3_000, 30)]);
    expect(s.all.map((x) => x.close)).toEqual([1, 20, 30]);
    expect(s.takeChanges().reset).toBe(true);
  });

  it('a late tick for an older candle updates it and asks for a full redraw; one older than everything kept is ignored', () => {
    const s = new CandleSeries(1_000);
    s.add(t(5_000, 10));
    s.add(t(6_000, 11));
    s.takeChanges();
    s.add(t(5_500, 15));
    expect(s.all[0]).toMatchObject({ high: 15, close: 10, trades: 2 });
    expect(s.takeChanges().reset).toBe(true);
    expect(s.add(t(1_000, 1))).toBeUndefined();
    expect(s.length).toBe(2);
  });

  it('keeps at most `limit` candles', () => {
    const s = new CandleSeries(1_000, 3);
    for (let i = 1; i <= 5; i++) s.add(t(i * 1_000, i));
    expect(s.all.map((x) => x.time)).toEqual([3_000, 4_000, 5_000]);
  });
});
