import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RedisClientType } from 'redis';
import { MemoryPriceStore } from '../../src/adapters/memory/memory-price-store.js';
import { RedisPriceStore, type RedisPriceStoreOptions } from '../../src/adapters/redis/redis-price-store.js';
import { CANDLE_INTERVAL_NAMES } from '../../src/domain/candles.js';
import { utcDayStart } from '../../src/domain/daily-stats.js';
import { seededRandom, type Random } from '../../src/domain/random.js';
import type { Tick } from '../../src/domain/tick.js';
import type { PriceStore, PriceStoreLimits } from '../../src/ports/price-store.js';
import { adminClient, deletePrefix, keysUnder, redisUrl, uniquePrefix } from '../support/redis.js';

let admin: RedisClientType;
const opened: { store: RedisPriceStore; prefix: string }[] = [];

beforeAll(async () => {
  admin = await adminClient();
});

afterAll(async () => {
  await admin.close();
});

afterEach(async () => {
  for (const { store, prefix } of opened.splice(0)) {
    await store.close();
    await deletePrefix(prefix);
  }
});

async function openStore(limits: PriceStoreLimits, extra: Partial<RedisPriceStoreOptions> = {}, prefix = uniquePrefix('store-it')): Promise<RedisPriceStore> {
  const store = new RedisPriceStore({ url: redisUrl, prefix, ...limits, ...extra });
  await store.start();
  opened.push({ store, prefix });
  return store;
}

const key = (t: Tick): string => `${t.symbol}:${t.seq}`;

/**
 * Ticks of several symbols, seq increasing per symbol, with the awkward parts a real feed has:
 * source timestamps that go backwards (across 1 s / 1 m / 5 m buckets and a UTC midnight),
 * prices with 4 decimals, fractional and large sizes, and redelivered (duplicate or stale) ticks.
 */
function randomTicks(random: Random, count: number): Tick[] {
  const symbols = ['AAPL', 'MSFT', 'BRK.B'];
  const seq = new Map<string, number>();
  const ts = new Map<string, number>();
  const price = new Map<string, number>();
  const start = Date.UTC(2024, 0, 2, 23, 58, 30); // shortly before a UTC midnight
  const out: Tick[] = [];
  for (let i = 0; i < count; i++) {
    if (out.length > 5 && random.next() < 0.12) {
      // A redelivery of something already sent: a duplicate or a stale tick.
      const old = out[Math.floor(random.next() * out.length)]!;
      out.push({ ...old, price: Math.round(random.next() * 1_000_000) / 10_000 + 1 });
      continue;
    }
    const symbol = symbols[Math.floor(random.next() * symbols.length)]!;
    const s = (seq.get(symbol) ?? 0) + 1 + (random.next() < 0.1 ? 1 : 0); // occasional gap in seq
    seq.set(symbol, s);
    const last = ts.get(symbol) ?? start;
    const next = last + Math.floor(random.next() * 4_000);
    ts.set(symbol, next);
    // One tick in five is stamped earlier, sometimes by minutes: into older buckets or the day before.
    const stamped = random.next() < 0.2 ? next - Math.floor(random.next() * (random.next() < 0.3 ? 400_000 : 3_000)) : next;
    const p = Math.max(0.0001, Math.round(((price.get(symbol) ?? 150) + random.normal() * 0.8) * 10_000) / 10_000);
    price.set(symbol, p);
    const size = random.next() < 0.2 ? Math.round(random.next() * 1_000) / 8 : 1 + Math.floor(random.next() * (random.next() < 0.05 ? 5e9 : 500));
    out.push({ symbol, price: p, size, ts: stamped, seq: s, source: 'prop' });
  }
  return out;
}

async function snapshot(store: PriceStore, symbols: readonly string[]): Promise<unknown> {
  const perSymbol: Record<string, unknown> = {};
  for (const symbol of symbols) {
    const latest = await store.latest(symbol);
    const candles: Record<string, unknown> = {};
    for (const interval of CANDLE_INTERVAL_NAMES) candles[interval] = await store.candles(symbol, interval, 1_000);
    perSymbol[symbol] = {
      latest,
      recent: await store.recent(symbol, 1_000),
      since0: await store.since(symbol, 0),
      sinceMid: await store.since(symbol, Math.floor((latest?.seq ?? 0) / 2)),
      candles,
      quote: await store.quote(symbol),
    };
  }
  const quotes = (await store.quotes()).sort((a, b) => a.symbol.localeCompare(b.symbol));
  const latestAll = (await store.latestAll()).sort((a, b) => a.symbol.localeCompare(b.symbol));
  return { perSymbol, quotes, latestAll };
}

describe('RedisPriceStore on a real Redis', () => {
  it('accepts each (symbol, seq) exactly once under two concurrent writers with overlapping batches', async () => {
    const limits = { historyLimit: 1_000, candleLimit: 50 };
    const prefix = uniquePrefix('store-cas');
    // Two processors on the same keys: two stores, two connections, one prefix.
    const one = await openStore(limits, {}, prefix);
    const two = await openStore(limits, {}, prefix);
    const random = seededRandom(7);
    const symbols = ['AAPL', 'MSFT', 'GOOG'];
    const counters = new Map<string, number>();
    const ticks: Tick[] = Array.from({ length: 600 }, (_, i) => {
      const symbol = symbols[Math.floor(random.next() * symbols.length)]!;
      const seq = (counters.get(symbol) ?? 0) + 1;
      counters.set(symbol, seq);
      return { symbol, seq, price: 100 + (i % 17) / 4, size: 1 + (i % 9), ts: 1_700_000_000_000 + i * 250, source: 'cas' };
    });
    // Both deliver everything (a redelivery after a rebalance), cut into batches of different sizes.
    const chunk = (size: number): Tick[][] => Array.from({ length: Math.ceil(ticks.length / size) }, (_, i) => ticks.slice(i * size, (i + 1) * size));
    const run = async (store: RedisPriceStore, batches: Tick[][]) => {
      const results = [];
      for (const batch of batches) results.push(await store.applyTicks(batch));
      return results;
    };
    const [r1, r2] = await Promise.all([run(one, chunk(7)), run(two, chunk(23))]);

    const accepted = [...r1, ...r2].flatMap((r) => r.accepted);
    expect(accepted.map(key).sort()).toEqual(ticks.map(key).sort());
    const submitted = 2 * ticks.length;
    expect([...r1, ...r2].reduce((n, r) => n + r.accepted.length + r.duplicates + r.stale, 0)).toBe(submitted);
    for (const r of [...r1, ...r2]) {
      for (const symbol of symbols) {
        const seqs = r.accepted.filter((t) => t.symbol === symbol).map((t) => t.seq);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      }
    }
    for (const symbol of symbols) {
      expect((await one.latest(symbol))?.seq).toBe(counters.get(symbol));
      expect((await two.latest(symbol))?.seq).toBe(counters.get(symbol));
      const history = (await one.recent(symbol, 10_000)).map((t) => t.seq).reverse();
      expect(history).toEqual(ticks.filter((t) => t.symbol === symbol).map((t) => t.seq));
    }
  });

  it.each([1, 2, 3, 4, 5, 6])('agrees exactly with MemoryPriceStore on random ticks (seed %i)', async (seed) => {
    const limits = { historyLimit: 40, candleLimit: 6 };
    const redis = await openStore(limits);
    const memory = new MemoryPriceStore(limits);
    const random = seededRandom(seed);
    const ticks = randomTicks(random, 400);
    // The sequence must exercise a day change and candles landing in already-closed buckets.
    expect(new Set(ticks.map((t) => utcDayStart(t.ts))).size).toBeGreaterThan(1);
    expect(ticks.some((t, i) => ticks.slice(0, i).some((u) => u.symbol === t.symbol && u.ts - t.ts >= 60_000))).toBe(true);
    for (let i = 0; i < ticks.length; ) {
      // Small batches and long ones: the store applies each symbol's run of a batch in one step.
      const size = 1 + Math.floor(random.next() * (seed % 2 === 0 ? 25 : 150));
      const batch = ticks.slice(i, i + size);
      i += size;
      expect(await redis.applyTicks(batch)).toEqual(await memory.applyTicks(batch));
    }
    const symbols = [...new Set(ticks.map((t) => t.symbol))].sort();
    expect(await snapshot(redis, symbols)).toEqual(await snapshot(memory, symbols));
  });

  it('two writers taking turns on the same symbols still agree exactly with MemoryPriceStore', async () => {
    // Each writer keeps what it last wrote; every turn of the other one makes that out of date.
    const limits = { historyLimit: 40, candleLimit: 6 };
    const prefix = uniquePrefix('store-turns');
    const writers = [await openStore(limits, {}, prefix), await openStore(limits, {}, prefix)];
    const memory = new MemoryPriceStore(limits);
    const random = seededRandom(11);
    const ticks = randomTicks(random, 400);
    for (let i = 0, turn = 0; i < ticks.length; turn++) {
      const size = 1 + Math.floor(random.next() * 40);
      const batch = ticks.slice(i, i + size);
      i += size;
      expect(await writers[turn % 2]!.applyTicks(batch)).toEqual(await memory.applyTicks(batch));
    }
    const symbols = [...new Set(ticks.map((t) => t.symbol))].sort();
    expect(await snapshot(writers[0]!, symbols)).toEqual(await snapshot(memory, symbols));
  });

  it('keeps price, volume and notional sums exact, as JavaScript computes them', async () => {
    const limits = { historyLimit: 10, candleLimit: 10 };
    const redis = await openStore(limits);
    const memory = new MemoryPriceStore(limits);
    // 1/3-ish sizes and 4-decimal prices make sums that %.14g would round; large ones pass 2^53.
    const ticks = Array.from({ length: 300 }, (_, i): Tick => ({
      symbol: 'PREC',
      seq: i + 1,
      ts: Date.UTC(2024, 5, 3, 12) + i * 10,
      price: [0.0001, 12_345.6789, 99_999.9999, 0.3333][i % 4]!,
      size: [0.1, 1 / 3, 7_777_777_777, 3][i % 4]!,
      source: 'precision',
    }));
    await redis.applyTicks(ticks);
    await memory.applyTicks(ticks);
    expect(await redis.quote('PREC')).toEqual(await memory.quote('PREC'));
    expect(await redis.candles('PREC', '1h', 10)).toEqual(await memory.candles('PREC', '1h', 10));
    expect(await redis.latest('PREC')).toEqual(ticks.at(-1));
  });

  it('stream epoch: created once and shared by every store on the prefix; a wiped Redis gets a new one', async () => {
    const prefix = uniquePrefix('store-epoch');
    const one = await openStore({ historyLimit: 10, candleLimit: 10 }, {}, prefix);
    const two = await openStore({ historyLimit: 10, candleLimit: 10 }, {}, prefix);
    const [a, b] = await Promise.all([one.epoch(), two.epoch()]);
    expect(a).toBe(b);
    expect(await admin.ttl(`${prefix}epoch`)).toBe(-1);
    await deletePrefix(prefix);
    const renewed = await two.epoch();
    expect(renewed).not.toBe(a);
    expect(await one.epoch()).toBe(renewed);
  });

  it('puts every key under the prefix, with a TTL refreshed on write', async () => {
    const prefix = uniquePrefix('store-ttl');
    const store = await openStore({ historyLimit: 10, candleLimit: 10 }, { ttlSeconds: 120 }, prefix);
    await store.applyTicks([{ symbol: 'AAPL', seq: 1, price: 1, size: 1, ts: Date.UTC(2024, 0, 2), source: 't' }]);
    const keys = await keysUnder(admin, prefix);
    // latest, history, stats, registry and one candle series per interval.
    expect(keys.length).toBe(4 + CANDLE_INTERVAL_NAMES.length);
    for (const k of keys) {
      const ttl = await admin.ttl(k);
      expect(ttl, k).toBeGreaterThan(0);
      expect(ttl, k).toBeLessThanOrEqual(120);
    }
    for (const k of keys) await admin.expire(k, 5);
    await store.applyTicks([{ symbol: 'AAPL', seq: 2, price: 1, size: 1, ts: Date.UTC(2024, 0, 2), source: 't' }]);
    for (const k of keys) expect(await admin.ttl(k), k).toBeGreaterThan(5);
  });

  it('recovers from a lost script cache without reordering a batch', async () => {
    const store = await openStore({ historyLimit: 100, candleLimit: 10 });
    const tick = (seq: number): Tick => ({ symbol: 'FLUSH', seq, price: 10 + seq, size: 1, ts: Date.UTC(2024, 0, 2) + seq, source: 't' });
    await store.applyTicks([tick(1), tick(2)]);
    // What a Redis restart or a failover to a replica does to EVALSHA.
    await admin.scriptFlush();
    const result = await store.applyTicks([tick(3), tick(5), tick(4), tick(6)]);
    expect(result.accepted.map((t) => t.seq)).toEqual([3, 5, 6]);
    expect(result.stale).toBe(1);
    expect((await store.recent('FLUSH', 10)).map((t) => t.seq)).toEqual([6, 5, 3, 2, 1]);
  });

  it('answers ping, and rejects it once closed', async () => {
    const store = await openStore({ historyLimit: 10, candleLimit: 10 });
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
    await expect(store.ping()).rejects.toThrow();
  });
});
