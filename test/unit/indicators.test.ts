import { describe, expect, it } from 'vitest';
import type { BandsValue, IndicatorSpec, IndicatorValues, MacdValue } from '../../src/domain/analytics/catalogue.js';
import { indicatorNames, parseIndicatorNames } from '../../src/domain/analytics/catalogue.js';
import { IndicatorSet } from '../../src/domain/analytics/indicator-set.js';
import type { CandleView } from '../../src/domain/candles.js';
import { seededRandom } from '../../src/domain/random.js';

const SPEC: IndicatorSpec = { smaPeriods: [5], emaPeriods: [3] };
const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 2, 0, 0, 0);

function candle(i: number, close: number, extra: Partial<CandleView> = {}): CandleView {
  return { time: T0 + i * 60_000, open: close, high: close, low: close, close, volume: 100, trades: 1, ...extra };
}

/** Feeds closed candles and returns each one's values. */
function run(candles: readonly CandleView[], spec: IndicatorSpec = SPEC): IndicatorValues[] {
  const set = new IndicatorSet(spec);
  return candles.map((c) => set.update(c, false));
}

const closes = (xs: readonly number[]): CandleView[] => xs.map((x, i) => candle(i, x));

describe('indicators: hand-checkable values and warm-up', () => {
  it('SMA(5) has no value for the first four candles, then the mean of the last five closes', () => {
    const out = run(closes([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    expect(out.slice(0, 4).map((v) => v['sma:5'])).toEqual([undefined, undefined, undefined, undefined]);
    expect(out.slice(4).map((v) => v['sma:5'])).toEqual([3, 4, 5, 6, 7, 8]);
  });

  it('EMA(3) (α = 0.5, seeded with the first close) reports from the third candle', () => {
    // e1 = 1, e2 = 1.5, e3 = 2.25, e4 = 3.125
    const out = run(closes([1, 2, 3, 4]));
    expect(out.map((v) => v['ema:3'])).toEqual([undefined, undefined, 2.25, 3.125]);
  });

  it('Bollinger(20, 2σ) of 1..20: middle 10.5, population σ = √(399/12)', () => {
    const out = run(closes(Array.from({ length: 20 }, (_, i) => i + 1)));
    expect(out[18]!['bb:20:2']).toBeUndefined();
    const bands = out[19]!['bb:20:2'] as BandsValue;
    const sigma = Math.sqrt(399 / 12);
    expect(bands.middle).toBeCloseTo(10.5, 10);
    expect(bands.upper).toBeCloseTo(10.5 + 2 * sigma, 10);
    expect(bands.lower).toBeCloseTo(10.5 - 2 * sigma, 10);
  });

  it('ATR(14) of candles with a constant range of 2 and no gaps is 2, from the 14th candle', () => {
    const out = run(Array.from({ length: 20 }, (_, i) => candle(i, 100, { high: 101, low: 99 })));
    expect(out[12]!['atr:14']).toBeUndefined();
    expect(out[13]!['atr:14']).toBeCloseTo(2, 12);
    expect(out[19]!['atr:14']).toBeCloseTo(2, 12);
  });

  it('MACD(12,26,9) of a flat price is zero; it appears with the 26th candle', () => {
    const out = run(closes(Array.from({ length: 40 }, () => 50)));
    expect(out[24]!['macd:12:26:9']).toBeUndefined();
    expect(out[25]!['macd:12:26:9']).toEqual({ macd: 0, signal: 0, histogram: 0 });
    const last = out[39]!['macd:12:26:9'] as MacdValue;
    expect(last.histogram).toBe(last.macd - last.signal);
  });

  it('VWAP is Σ typical price × volume / Σ volume over the UTC day, and restarts the next day', () => {
    const set = new IndicatorSet(SPEC);
    set.update(candle(0, 10, { high: 12, low: 8, volume: 100 }), false); // typical 10
    const second = set.update(candle(1, 20, { high: 20, low: 20, volume: 300 }), false); // typical 20
    expect(second['vwap']).toBeCloseTo((10 * 100 + 20 * 300) / 400, 12);
    const nextDay = set.update({ ...candle(0, 30), time: T0 + DAY, volume: 50 }, false);
    expect(nextDay['vwap']).toBe(30);
  });

  it('VWAP skips a candle without volume and keeps the session value', () => {
    const set = new IndicatorSet(SPEC);
    set.update(candle(0, 10, { volume: 100 }), false);
    expect(set.update(candle(1, 20, { volume: 0 }), false)['vwap']).toBe(10);
    // The empty candle then trades: it joins the session once, not in place of the previous candle.
    expect(set.update(candle(1, 20, { volume: 100 }), true)['vwap']).toBe(15);
  });

  it('rolling volatility(20) is the σ of log returns: 0 at a constant growth rate, ln 2 alternating ×2, ÷2', () => {
    const growth = run(closes(Array.from({ length: 25 }, (_, i) => 100 * 1.01 ** i)));
    expect(growth[19]!['vol:20']).toBeUndefined();
    expect(growth[20]!['vol:20']).toBeCloseTo(0, 12);
    const zigzag = run(closes(Array.from({ length: 21 }, (_, i) => (i % 2 === 0 ? 100 : 200))));
    expect(zigzag[20]!['vol:20']).toBeCloseTo(Math.LN2, 12);
  });
});

describe('indicators: a published table', () => {
  // StockCharts ChartSchool, "Relative Strength Index" worked example (cs-rsi.xls), Wilder smoothing
  // at full precision (the article's text rounds intermediate averages and shows 70.53 first).
  const CLOSES = [
    44.34, 44.09, 44.15, 43.61, 44.33, 44.83, 45.1, 45.42, 45.84, 46.08, 45.89, 46.03, 45.61, 46.28, 46.28, 46.0, 46.03, 46.41, 46.22, 45.64, 46.21, 46.25,
    45.71, 46.45, 45.78, 45.35, 44.03, 44.18, 44.22, 44.57, 43.42, 42.66, 43.13,
  ];
  const RSI = [70.46, 66.25, 66.48, 69.35, 66.29, 57.92, 62.88, 63.21, 56.01, 62.34, 54.67, 50.39, 40.02, 41.49, 41.9, 45.5, 37.32, 33.09, 37.79];

  it('RSI(14) matches it to two decimals, with no value for the first 14 closes', () => {
    const out = run(closes(CLOSES)).map((v) => v['rsi:14'] as number | undefined);
    expect(out.slice(0, 14).every((v) => v === undefined)).toBe(true);
    expect(out.slice(14).map((v) => Math.round(v! * 100) / 100)).toEqual(RSI);
  });
});

describe('indicators: a forming candle is replaced, not accumulated', () => {
  it('feeding every tick of every candle gives the values of feeding only the final candles', () => {
    const rng = seededRandom(7);
    const random = (): number => rng.next();
    const spec: IndicatorSpec = { smaPeriods: [9, 20], emaPeriods: [9, 50] };
    const live = new IndicatorSet(spec);
    const finals: CandleView[] = [];
    const liveValues: IndicatorValues[] = [];
    let price = 100;
    for (let i = 0; i < 80; i++) {
      let c: CandleView | undefined;
      let values: IndicatorValues = {};
      for (let t = 0; t < 6; t++) {
        price *= 1 + (random() - 0.5) / 50;
        const size = 1 + Math.floor(random() * 100);
        c = c === undefined ? candle(i, price, { volume: size }) : { ...c, high: Math.max(c.high, price), low: Math.min(c.low, price), close: price, volume: c.volume + size, trades: c.trades + 1 };
        values = live.update(c, t > 0);
      }
      finals.push(c!);
      liveValues.push(values);
    }
    const fresh = run(finals, spec);
    expect(Object.keys(liveValues.at(-1)!).sort()).toEqual(indicatorNames(spec).sort());
    for (let i = 0; i < finals.length; i++) {
      for (const [name, value] of Object.entries(fresh[i]!)) {
        if (typeof value === 'number') expect(liveValues[i]![name]).toBeCloseTo(value, 9);
        else for (const [k, v] of Object.entries(value)) expect((liveValues[i]![name] as unknown as Record<string, number>)[k]).toBeCloseTo(v, 9);
      }
      expect(Object.keys(liveValues[i]!).sort()).toEqual(Object.keys(fresh[i]!).sort());
    }
  });
});

describe('indicator names', () => {
  it('lists what the spec computes and parses a client list in order, without repeats', () => {
    expect(indicatorNames(SPEC)).toEqual(['sma:5', 'ema:3', 'rsi:14', 'macd:12:26:9', 'bb:20:2', 'vwap', 'atr:14', 'vol:20']);
    expect(parseIndicatorNames('RSI:14, sma:5,rsi:14', SPEC)).toEqual({ names: ['rsi:14', 'sma:5'] });
    expect(parseIndicatorNames('sma:20', SPEC)).toEqual({ unknown: 'sma:20' });
  });
});
