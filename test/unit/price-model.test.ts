import { describe, expect, it } from 'vitest';
import { Market, roundToTick, TRADING_SECONDS_PER_YEAR, tradeSize, type SymbolModel } from '../../src/domain/price-model.js';
import { seededRandom } from '../../src/domain/random.js';

const model = (symbol: string, overrides: Partial<SymbolModel> = {}): SymbolModel => ({
  symbol,
  basePrice: 100,
  drift: 0.05,
  volatility: 0.3,
  ...overrides,
});

const market = (seed: number, models = [model('AAPL'), model('MSFT')], speed = 60): Market =>
  new Market(models, seededRandom(seed), { speed, source: 'test' });

describe('Market: statistics of the GBM', () => {
  // Long horizon so the drift, whose standard error is σ/√T, is measurable; base price high so
  // rounding to cents is negligible against a step's return.
  const drift = 0.1;
  const volatility = 0.2;
  const steps = 100_000;
  const dtYears = 0.05;
  const stepMs = 1_000;
  const speed = (dtYears * TRADING_SECONDS_PER_YEAR) / (stepMs / 1000);

  for (const seed of [1, 2, 3]) {
    it(`estimates drift and volatility within their standard errors (seed ${seed})`, () => {
      const m = market(seed, [model('X', { basePrice: 100_000, drift, volatility })], speed);
      const prices = Array.from({ length: steps + 1 }, (_, i) => m.nextFor('X', i * stepMs).price);
      const returns = prices.slice(1).map((p, i) => Math.log(p / prices[i]!));
      const mean = returns.reduce((a, b) => a + b, 0) / steps;
      const variance = returns.reduce((a, r) => a + (r - mean) ** 2, 0) / (steps - 1);

      const sigmaHat = Math.sqrt(variance / dtYears);
      const sigmaSe = volatility / Math.sqrt(2 * steps);
      expect(Math.abs(sigmaHat - volatility)).toBeLessThan(5 * sigmaSe);

      // GBM: E[log return] = (μ − σ²/2)·dt, so μ̂ = mean/dt + σ̂²/2 with standard error σ/√T.
      const muHat = mean / dtYears + sigmaHat ** 2 / 2;
      const muSe = volatility / Math.sqrt(steps * dtYears);
      expect(Math.abs(muHat - drift)).toBeLessThan(5 * muSe);
    });
  }

  it('does not move the price when no market time passed', () => {
    const m = market(7);
    const first = m.nextFor('AAPL', 1_000);
    const again = m.nextFor('AAPL', 1_000);
    const earlier = m.nextFor('AAPL', 500);
    expect(again.price).toBe(first.price);
    expect(earlier.price).toBe(first.price);
  });
});

describe('Market: sequence and reproducibility', () => {
  it('numbers each symbol from 1 upward by 1, independently of other symbols', () => {
    const m = market(11);
    const seen = new Map<string, number[]>();
    for (let i = 0; i < 200; i++) {
      const t = m.next(i * 10);
      seen.set(t.symbol, [...(seen.get(t.symbol) ?? []), t.seq]);
    }
    expect([...seen.keys()].sort()).toEqual(['AAPL', 'MSFT']);
    for (const seqs of seen.values()) expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });

  it('gives identical ticks for the same seed and different ones for another seed', () => {
    const run = (seed: number) => {
      const m = market(seed);
      return Array.from({ length: 100 }, (_, i) => m.next(i * 250));
    };
    expect(run(42)).toEqual(run(42));
    expect(run(43).map((t) => t.price)).not.toEqual(run(42).map((t) => t.price));
  });

  it('resume() continues the sequence and the price, and never moves seq backwards', () => {
    const m = market(5);
    m.nextFor('AAPL', 0);
    m.resume('AAPL', 41, 123.45);
    const next = m.nextFor('AAPL', 0);
    expect(next.seq).toBe(42);
    expect(next.price).toBe(123.45);
    m.resume('AAPL', 3, 0);
    expect(m.nextFor('AAPL', 0)).toMatchObject({ seq: 43, price: 123.45 });
    expect(m.nextFor('MSFT', 0).seq).toBe(1);
  });

  it('resume() of an unknown symbol is ignored; nextFor() of one throws', () => {
    const m = market(5);
    expect(() => m.resume('NOPE', 10, 1)).not.toThrow();
    expect(() => m.nextFor('NOPE', 0)).toThrow(/NOPE/);
  });

  it('refuses an empty universe', () => {
    expect(() => market(1, [])).toThrow();
  });
});

describe('roundToTick', () => {
  const random = seededRandom(99);
  const samples = Array.from({ length: 2_000 }, () => Math.exp(random.normal() * 4));

  it('rounds to the nearest cent at or above $1', () => {
    for (const p of samples.filter((x) => x >= 1)) {
      const r = roundToTick(p);
      expect(Number.isInteger(Math.round(r * 100)) && Math.abs(r * 100 - Math.round(r * 100)) < 1e-6).toBe(true);
      expect(Math.abs(r - p)).toBeLessThanOrEqual(0.005 + 1e-9);
    }
  });

  it('rounds to the nearest 1/100 cent below $1, never to zero', () => {
    for (const p of samples.filter((x) => x < 1)) {
      const r = roundToTick(p);
      expect(Math.abs(r * 10_000 - Math.round(r * 10_000))).toBeLessThan(1e-6);
      expect(Math.abs(r - p)).toBeLessThanOrEqual(Math.max(0.00005 + 1e-12, 0.0001 - p));
      expect(r).toBeGreaterThan(0);
    }
    expect(roundToTick(0.000001)).toBe(0.0001);
  });
});

describe('tradeSize', () => {
  it('is always a positive integer, with both odd lots and round lots', () => {
    const random = seededRandom(3);
    const sizes = Array.from({ length: 10_000 }, () => tradeSize(random));
    for (const s of sizes) {
      expect(Number.isInteger(s)).toBe(true);
      expect(s).toBeGreaterThan(0);
    }
    expect(sizes.some((s) => s % 100 !== 0)).toBe(true);
    expect(sizes.some((s) => s % 100 === 0)).toBe(true);
  });

  it('is what the market puts on its ticks', () => {
    const m = market(8);
    for (let i = 0; i < 1_000; i++) {
      const { size } = m.next(i);
      expect(Number.isInteger(size) && size > 0).toBe(true);
    }
  });
});
