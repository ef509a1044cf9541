import { describe, expect, it } from 'vitest';
import { MemoryConnectionLimiter } from '../../src/adapters/memory/memory-connection-limiter.js';
import { RedisConnectionLimiter, type RedisConnectionLimiterOptions } from '../../src/adapters/redis/redis-connection-limiter.js';
import { deletePrefix, redisTestContext, redisUrl, uniquePrefix } from '../support/redis.js';
import { waitFor } from '../support/wait.js';

const redis = redisTestContext();

async function limiters(count: number, settings: Pick<RedisConnectionLimiterOptions, 'ratePerSecond' | 'burst'>) {
  const prefix = uniquePrefix('limiter-it');
  const all = Array.from({ length: count }, () => new RedisConnectionLimiter({ url: redisUrl, prefix, ...settings }));
  for (const l of all) await l.start();
  redis.cleanups.push(async () => {
    for (const l of all) await l.close();
    await deletePrefix(prefix);
  });
  return { all, prefix };
}

describe('RedisConnectionLimiter on a real Redis', () => {
  it('allows `burst` connections per IP across every gateway, then refuses', async () => {
    // Two gateways; a refill so slow that none happens during the test.
    const { all: [a, b] } = await limiters(2, { ratePerSecond: 0.001, burst: 5 });
    const decisions: boolean[] = [];
    for (let i = 0; i < 8; i++) decisions.push(await (i % 2 === 0 ? a! : b!).allow('10.0.0.1'));
    expect(decisions).toEqual([true, true, true, true, true, false, false, false]);
    // Concurrent requests cannot both take the last token: the script is one atomic step.
    const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a! : b!).allow('10.0.0.2')));
    expect(burst.filter(Boolean)).toHaveLength(5);
    // Other IPs have buckets of their own.
    expect(await a!.allow('2001:db8::1')).toBe(true);
    expect(a!.localDecisions + b!.localDecisions).toBe(0);
  });

  it('refills at `ratePerSecond`, and lets the key expire once the bucket would be full', async () => {
    const { all: [limiter], prefix } = await limiters(1, { ratePerSecond: 20, burst: 2 });
    expect([await limiter!.allow('10.0.0.3'), await limiter!.allow('10.0.0.3')]).toEqual([true, true]);
    const ttl = await redis.admin.pTTL(`${prefix}ratelimit:10.0.0.3`);
    expect(ttl).toBeGreaterThan(0);
    // Two tokens short at 20/s: full in 100 ms, plus a second of slack.
    expect(ttl).toBeLessThanOrEqual(1_100);
    await waitFor(() => limiter!.allow('10.0.0.3'), 'a refilled token');
  });

  it('decides on its own bucket while Redis cannot answer', async () => {
    const prefix = uniquePrefix('limiter-it');
    // Never started: the same as a connection that is down.
    const limiter = new RedisConnectionLimiter({ url: redisUrl, prefix, ratePerSecond: 0.001, burst: 2 });
    const decisions = [await limiter.allow('10.0.0.4'), await limiter.allow('10.0.0.4'), await limiter.allow('10.0.0.4')];
    expect(decisions).toEqual([true, true, false]);
    expect(limiter.localDecisions).toBe(3);
    await expect(limiter.ping()).rejects.toThrow();
  });
});

describe('MemoryConnectionLimiter', () => {
  it('allows `burst` per IP, then refills with time', async () => {
    let now = 1_000_000;
    const limiter = new MemoryConnectionLimiter({ ratePerSecond: 2, burst: 3 }, () => now);
    const first = [];
    for (let i = 0; i < 4; i++) first.push(await limiter.allow('10.0.0.1'));
    expect(first).toEqual([true, true, true, false]);
    expect(await limiter.allow('10.0.0.2')).toBe(true);
    now += 500; // one token at 2/s
    expect([await limiter.allow('10.0.0.1'), await limiter.allow('10.0.0.1')]).toEqual([true, false]);
  });

  it('rejects settings that would never allow anything', () => {
    expect(() => new MemoryConnectionLimiter({ ratePerSecond: 0, burst: 1 })).toThrow(/ratePerSecond/);
    expect(() => new MemoryConnectionLimiter({ ratePerSecond: 1, burst: 0 })).toThrow(/burst/);
  });
});
