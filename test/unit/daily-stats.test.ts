import { describe, expect, it } from 'vitest';
import { addToDailyStats, toQuote, topMovers, utcDayStart, type DailyStats, type Quote } from '../../src/domain/daily-stats.js';
import type { Tick } from '../../src/domain/tick.js';
import { aTick, aTickRun, T0 } from '../support/ticks.js';

const DAY = 86_400_000;

const fold = (ticks: readonly Tick[], stats?: DailyStats): DailyStats => {
  let s = stats;
  for (const t of ticks) s = addToDailyStats(s, t);
  return s!;
};

describe('addToDailyStats', () => {
  it('accumulates open, high, low, last, volume, notional and trades over a day', () => {
    const ticks = aTickRun(20);
    const s = fold(ticks);
    const prices = ticks.map((t) => t.price);
    expect(s).toMatchObject({
      day: utcDayStart(T0),
      open: ticks[0]!.price,
      high: Math.max(...prices),
      low: Math.min(...prices),
      last: ticks.at(-1)!.price,
      volume: ticks.reduce((a, t) => a + t.size, 0),
      trades: ticks.length,
    });
    expect(s.notional).toBeCloseTo(ticks.reduce((a, t) => a + t.price * t.size, 0), 6);
  });

  it('starts a new session on a later UTC day', () => {
    const dayOne = fold(aTickRun(5));
    const next = aTick({ ts: utcDayStart(T0) + DAY + 1, price: 77, size: 3, seq: 6 });
    expect(addToDailyStats(dayOne, next)).toEqual({ day: utcDayStart(T0) + DAY, open: 77, high: 77, low: 77, last: 77, volume: 3, notional: 231, trades: 1 });
  });

  it('counts a late tick stamped on the previous day toward the current session', () => {
    const today = fold([aTick({ ts: utcDayStart(T0) + 1, price: 50 })]);
    const late = aTick({ ts: utcDayStart(T0) - 1, price: 40, size: 7, seq: 2 });
    expect(addToDailyStats(today, late)).toMatchObject({ day: utcDayStart(T0), open: 50, low: 40, last: 40, volume: 107, trades: 2 });
  });
});

describe('toQuote', () => {
  it('derives change, change percent and VWAP from the day', () => {
    const ticks = [aTick({ price: 200, size: 100 }), aTick({ price: 210, size: 300, seq: 2 }), aTick({ price: 190, size: 100, seq: 3, ts: T0 + 5 })];
    const q = toQuote(ticks[2]!, fold(ticks));
    expect(q).toMatchObject({ symbol: 'AAPL', price: 190, seq: 3, ts: T0 + 5, timestamp: new Date(T0 + 5).toISOString(), open: 200, high: 210, low: 190, volume: 500, trades: 3 });
    expect(q.change).toBeCloseTo(-10, 10);
    expect(q.changePercent).toBeCloseTo(-5, 10);
    expect(q.vwap).toBeCloseTo((200 * 100 + 210 * 300 + 190 * 100) / 500, 4);
  });

  it('uses the last price as VWAP when the day has no volume', () => {
    const t = aTick({ size: 0, price: 12.5 });
    expect(toQuote(t, fold([t])).vwap).toBe(12.5);
  });
});

describe('topMovers', () => {
  const quote = (symbol: string, changePercent: number, volume: number): Quote =>
    ({ ...toQuote(aTick({ symbol }), fold([aTick({ symbol })])), changePercent, volume });
  const quotes = [quote('A', 3, 10), quote('B', -1, 50), quote('C', 0, 30), quote('D', 7, 5), quote('E', -4, 40), quote('F', 1, 20)];

  it('lists only gainers among gainers, biggest first', () => {
    const { gainers } = topMovers(quotes, 10);
    expect(gainers.map((q) => q.symbol)).toEqual(['D', 'A', 'F']);
  });

  it('lists only losers among losers, most negative first', () => {
    const { losers } = topMovers(quotes, 10);
    expect(losers.map((q) => q.symbol)).toEqual(['E', 'B']);
  });

  it('ranks the most active by volume and applies the limit to every list', () => {
    const movers = topMovers(quotes, 2);
    expect(movers.mostActive.map((q) => q.symbol)).toEqual(['B', 'E']);
    expect(movers.gainers).toHaveLength(2);
    expect(movers.losers).toHaveLength(2);
  });

  it('does not reorder its input', () => {
    const copy = [...quotes];
    topMovers(quotes, 3);
    expect(quotes).toEqual(copy);
  });
});
