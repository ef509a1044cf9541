import type { Tick } from '../../src/domain/tick.js';

/** 2024-01-02 15:00:00 UTC: mid-session, far from a UTC day boundary. */
export const T0 = Date.UTC(2024, 0, 2, 15, 0, 0);

export function aTick(overrides: Partial<Tick> = {}): Tick {
  return { symbol: 'AAPL', price: 100, size: 100, ts: T0, seq: 1, source: 'test', ...overrides };
}

/**
 * `count` ticks of one symbol with seq `firstSeq`, `firstSeq + 1`, …, one second apart, with
 * prices and sizes that differ from tick to tick so aggregates are not trivially equal.
 */
export function aTickRun(count: number, overrides: Partial<Tick> & { firstSeq?: number; stepMs?: number } = {}): Tick[] {
  const { firstSeq = 1, stepMs = 1_000, ...base } = overrides;
  const start = aTick(base);
  return Array.from({ length: count }, (_, i) =>
    aTick({
      ...base,
      seq: firstSeq + i,
      ts: start.ts + i * stepMs,
      price: Math.round((start.price + ((i * 7) % 11) - 5) * 100) / 100,
      size: 10 + ((i * 37) % 90),
    }),
  );
}
