import { describe, expect, it } from 'vitest';
import { rankWindowMovers, windowStats, type WindowStats } from '../../src/domain/analytics/window-movers.js';
import { newCandle, type Candle } from '../../src/domain/candles.js';
import { aTick, T0 } from '../support/ticks.js';

/** 1s candles: one per second from T0, `close` and `volume` per second. */
function seconds(prices: readonly number[], volumes: readonly number[]): Candle[] {
  return prices.map((price, i) => ({ ...newCandle(T0 + i * 1000, aTick({ price, ts: T0 + i * 1000, seq: i + 1 })), volume: volumes[i]! }));
}

describe('movers over windows', () => {
  it('1m: change from the close before the window, volume inside it, average of the previous minutes', () => {
    // 5 minutes of 1s candles: price 100 until the last minute, which climbs to 110 with double volume.
    const n = 300;
    const prices = Array.from({ length: n }, (_, i) => (i < 240 ? 100 : 100 + ((i - 239) / 60) * 10));
    const volumes = Array.from({ length: n }, (_, i) => (i < 240 ? 10 : 20));
    const now = T0 + (n - 1) * 1000 + 500;
    const s = windowStats('AAPL', '1m', seconds(prices, volumes), now)!;
    expect(s).toMatchObject({ price: 110, reference: 100, change: 10, changePercent: 10, volume: 1200, trades: 60, from: T0 + 240_000, to: T0 + 300_000 });
    expect(s.averageVolume).toBe(600);
    expect(s.volumeRatio).toBe(2);
  });

  it('no trade in the window: no stats; no covered previous window: no average', () => {
    const candles = seconds([100, 101], [5, 5]);
    expect(windowStats('AAPL', '1m', candles, T0 + 200_000)).toBeUndefined();
    expect(windowStats('AAPL', '1m', candles, T0 + 1_500)).toMatchObject({ reference: 100, price: 101, averageVolume: null, volumeRatio: null });
  });

  it('ranks like the day movers, plus unusual volume at twice the average or more', () => {
    const s = (symbol: string, changePercent: number, volume: number, volumeRatio: number | null): WindowStats => ({
      symbol, price: 1, reference: 1, change: 0, changePercent, volume, trades: 1, averageVolume: null, volumeRatio, from: 0, to: 1,
    });
    const movers = rankWindowMovers('5m', [s('A', 2, 10, 1), s('B', -3, 50, 2.5), s('C', 5, 20, null), s('D', -1, 5, 4)], 2);
    expect(movers.gainers.map((m) => m.symbol)).toEqual(['C', 'A']);
    expect(movers.losers.map((m) => m.symbol)).toEqual(['B', 'D']);
    expect(movers.mostActive.map((m) => m.symbol)).toEqual(['B', 'C']);
    expect(movers.unusualVolume.map((m) => m.symbol)).toEqual(['D', 'B']);
  });
});
