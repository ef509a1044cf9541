import { describe, expect, it } from 'vitest';
import type { IndicatorSpec, IndicatorValues } from '../../src/domain/analytics/catalogue.js';
import { IndicatorSet } from '../../src/domain/analytics/indicator-set.js';
import { SymbolAnalytics, type IndicatorPoint } from '../../src/domain/analytics/symbol-analytics.js';
import { addToCandles, CANDLE_INTERVAL_NAMES, CANDLE_INTERVALS, candleView, type Candle, type CandleInterval } from '../../src/domain/candles.js';
import type { Tick } from '../../src/domain/tick.js';
import { aTick, aTickRun, T0 } from '../support/ticks.js';

const SPEC: IndicatorSpec = { smaPeriods: [3], emaPeriods: [3] };
const LIMIT = 1000;

/** What a client gets by recomputing from the final candles (as /api/v1/candles serves them). */
function recomputed(ticks: readonly Tick[], interval: CandleInterval): Map<number, IndicatorValues> {
  const candles: Candle[] = [];
  let lastSeq = 0;
  for (const t of ticks) {
    if (t.seq <= lastSeq) continue;
    lastSeq = t.seq;
    addToCandles(candles, t, CANDLE_INTERVALS[interval], LIMIT);
  }
  const set = new IndicatorSet(SPEC);
  return new Map(candles.map((c) => [c.time, set.update(candleView(c), false)]));
}

/** The newest point per candle, as the store keeps them. */
function stored(points: readonly IndicatorPoint[], interval: CandleInterval): Map<number, IndicatorValues> {
  const out = new Map<number, IndicatorValues>();
  for (const p of points) if (p.interval === interval) out.set(p.time, p.values);
  return new Map([...out.entries()].sort(([a], [b]) => a - b));
}

function feed(analytics: SymbolAnalytics, batches: readonly (readonly Tick[])[]): IndicatorPoint[] {
  const points: IndicatorPoint[] = [];
  for (const batch of batches) {
    for (const t of batch) analytics.add(t, points);
    analytics.flush(points);
  }
  return points;
}

describe('SymbolAnalytics', () => {
  it('stores per candle the values a client recomputes from the final candles, on every interval', () => {
    const ticks = aTickRun(400, { stepMs: 700 });
    const analytics = new SymbolAnalytics('AAPL', SPEC, LIMIT);
    // Batches of odd sizes, so candles close both inside a batch and at its edge.
    const batches = [];
    for (let i = 0; i < ticks.length; i += 7) batches.push(ticks.slice(i, i + 7));
    const points = feed(analytics, batches);
    for (const interval of CANDLE_INTERVAL_NAMES) expect(stored(points, interval)).toEqual(recomputed(ticks, interval));
  });

  it('a late tick inside the forming candle counts in its range and volume but does not move its close', () => {
    const analytics = new SymbolAnalytics('AAPL', SPEC, LIMIT);
    const ticks = [aTick({ seq: 1, ts: T0, price: 10 }), aTick({ seq: 2, ts: T0 + 30_000, price: 12 }), aTick({ seq: 3, ts: T0 + 10_000, price: 7 })];
    feed(analytics, [ticks]);
    const forming = analytics.candles('1m').at(-1)!;
    expect(candleView(forming)).toMatchObject({ open: 10, close: 12, low: 7, high: 12, trades: 3 });
    expect(stored(feed(analytics, [[aTick({ seq: 4, ts: T0 + 20_000, price: 11 })]]), '1m').get(T0)).toBeDefined();
    expect(analytics.candles('1m').at(-1)!.close).toBe(12);
  });

  it('ignores duplicate and stale ticks, like the price store', () => {
    const analytics = new SymbolAnalytics('AAPL', SPEC, LIMIT);
    const ticks = aTickRun(5);
    feed(analytics, [ticks]);
    const before = candleView(analytics.candles('1m').at(-1)!);
    expect(analytics.add(ticks[4]!, [])).toBe(false);
    expect(analytics.add({ ...ticks[2]!, price: 999 }, [])).toBe(false);
    expect(candleView(analytics.candles('1m').at(-1)!)).toEqual(before);
  });

  it('a late tick into an already closed candle recomputes that candle and every later one', () => {
    const ticks = aTickRun(300, { stepMs: 1_000 });
    const late = aTick({ seq: 301, ts: T0 + 65_000, price: 500, size: 1 }); // into the second 1m candle, long closed
    const analytics = new SymbolAnalytics('AAPL', SPEC, LIMIT);
    const points = feed(analytics, [ticks, [late]]);
    expect(stored(points, '1m')).toEqual(recomputed([...ticks, late], '1m'));
  });

  it('restored from stored candles and the latest tick, continues with the same values', () => {
    const ticks = aTickRun(500, { stepMs: 900 });
    const [before, after] = [ticks.slice(0, 317), ticks.slice(317)];
    const uninterrupted = new SymbolAnalytics('AAPL', SPEC, LIMIT);
    feed(uninterrupted, [before]);
    const expected = feed(uninterrupted, [after]);

    const restarted = new SymbolAnalytics('AAPL', SPEC, LIMIT);
    const candles = {} as Record<CandleInterval, ReturnType<typeof candleView>[]>;
    for (const interval of CANDLE_INTERVAL_NAMES) candles[interval] = uninterruptedCandles(before, interval);
    restarted.restore(candles, before.at(-1)!);
    // The log redelivers what the old member had not acknowledged: skipped by seq.
    const got = feed(restarted, [before.slice(-20), after]);
    expect(got).toEqual(expected);
  });
});

function uninterruptedCandles(ticks: readonly Tick[], interval: CandleInterval) {
  const candles: Candle[] = [];
  for (const t of ticks) addToCandles(candles, t, CANDLE_INTERVALS[interval], LIMIT);
  return candles.map(candleView);
}
