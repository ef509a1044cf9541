import { describe, expect, it } from 'vitest';
import { reconnectDelay } from '../../src/adapters/redis/connection.js';
import { backoffDelay, doubling } from '../../src/domain/backoff.js';
import { retryDelayMs } from '../../src/ports/order-queue.js';

describe('backoffDelay, the one retry rule', () => {
  it('grows by the factor from the initial delay up to the ceiling, and stays there', () => {
    const policy = doubling(250, 10_000);
    expect([0, 1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, policy))).toEqual([250, 500, 1_000, 2_000, 4_000, 8_000, 10_000]);
    expect(backoffDelay(5_000, policy)).toBe(10_000);
    expect(backoffDelay(-1, policy)).toBe(250);
    expect(backoffDelay(3, { initialMs: 100, maxMs: 10_000, factor: 3, jitter: 0 })).toBe(2_700);
  });

  it('has no ceiling with maxMs Infinity, and a finite delay however late the attempt', () => {
    expect(backoffDelay(10, doubling(200, Infinity))).toBe(204_800);
    expect(Number.isFinite(backoffDelay(100_000, { initialMs: 1, maxMs: 60_000, factor: 2, jitter: 0.5 }, () => 0.5))).toBe(true);
  });

  it('takes off up to `jitter` of each delay at random: never more, never all of it', () => {
    const finnhub = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.5 };
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, finnhub, () => 0))).toEqual([500, 1_000, 2_000, 4_000]);
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, finnhub, () => 0.999999))).toEqual([250, 500, 1_000, 2_000]);
    expect(backoffDelay(50, finnhub, () => 0)).toBe(30_000);
    expect(backoffDelay(50, finnhub, () => 0.999999)).toBe(15_000);
  });

  it('draws no random number when there is no jitter', () => {
    let draws = 0;
    backoffDelay(3, doubling(100, 5_000), () => (draws++, 0.5));
    expect(draws).toBe(0);
  });
});

describe('the policies built on it', () => {
  it('order redeliveries wait base, 2 × base, 4 × base, … (one TTL queue per delay, so no jitter)', () => {
    expect([1, 2, 3, 4].map((a) => retryDelayMs({ maxAttempts: 5, baseDelayMs: 100 }, a))).toEqual([100, 200, 400, 800]);
  });

  it('Redis reconnects wait 50–62.5 ms at first and 2–2.5 s at most', () => {
    for (let i = 0; i < 50; i++) {
      const first = reconnectDelay(0);
      expect(first).toBeGreaterThanOrEqual(50);
      expect(first).toBeLessThanOrEqual(63);
      const late = reconnectDelay(40);
      expect(late).toBeGreaterThanOrEqual(2_000);
      expect(late).toBeLessThanOrEqual(2_500);
    }
  });
});
