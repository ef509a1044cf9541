import { afterEach, describe, expect, it } from 'vitest';
import { MemoryEventLog } from '../../src/adapters/memory/memory-event-log.js';
import { RedisPriceStore } from '../../src/adapters/redis/redis-price-store.js';
import { DEFAULT_INDICATOR_SPEC } from '../../src/domain/analytics/catalogue.js';
import { CANDLE_INTERVAL_NAMES } from '../../src/domain/candles.js';
import type { Tick } from '../../src/domain/tick.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import type { LogRecord } from '../../src/ports/event-log.js';
import { AnalyticsService } from '../../src/services/analytics.js';
import { deletePrefix, redisUrl, uniquePrefix } from '../support/redis.js';
import { aTickRun } from '../support/ticks.js';

const LIMITS = { historyLimit: 100, candleLimit: 500 };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function redisStore(): Promise<RedisPriceStore> {
  const prefix = uniquePrefix('analytics');
  const store = new RedisPriceStore({ url: redisUrl, prefix, ...LIMITS });
  await store.start();
  cleanups.push(async () => {
    await store.close();
    await deletePrefix(prefix);
  });
  return store;
}

/** The role on a store, consuming an empty log: the test hands it batches as the log would. */
async function analyticsOn(store: RedisPriceStore): Promise<AnalyticsService> {
  const log = new MemoryEventLog<Tick>({ partitions: 1, retention: 1_000 });
  const service = new AnalyticsService({
    log,
    store,
    spec: DEFAULT_INDICATOR_SPEC,
    candleLimit: LIMITS.candleLimit,
    maxBatch: 500,
    moversEveryMs: 60_000,
    metrics: createMetrics({ defaultMetrics: false }),
    logger: createLogger({ level: 'silent', format: 'json' }),
  });
  await service.start();
  cleanups.push(() => service.stop());
  return service;
}

const records = (ticks: readonly Tick[]): LogRecord<Tick>[] => ticks.map((t, i) => ({ key: t.symbol, value: t, partition: 0, offset: String(i) }));

/** What the processor does with the same batch, then the analytics role's turn. */
async function deliver(store: RedisPriceStore, service: AnalyticsService, ticks: readonly Tick[]) {
  await store.applyTicks(ticks);
  return service.handle(records(ticks));
}

describe('analytics role restart (Redis price store)', () => {
  it('rebuilds from the stored candles and continues with the values an uninterrupted role has', async () => {
    const ticks = [...aTickRun(700, { stepMs: 450 }), ...aTickRun(700, { symbol: 'MSFT', price: 300, stepMs: 450 })].sort((a, b) => a.ts - b.ts || a.symbol.localeCompare(b.symbol));
    const cut = 911;
    const [before, after] = [ticks.slice(0, cut), ticks.slice(cut)];

    const steadyStore = await redisStore();
    const steady = await analyticsOn(steadyStore);
    await deliver(steadyStore, steady, before);
    const expected = await deliver(steadyStore, steady, after);

    const store = await redisStore();
    const first = await analyticsOn(store);
    await deliver(store, first, before);
    await first.stop();
    const restarted = await analyticsOn(store);
    // The log redelivers the last batch the stopped member had not acknowledged: nothing changes twice.
    expect(await restarted.handle(records(before.slice(-50)))).toEqual([]);
    const got = await deliver(store, restarted, after);

    expect(got).toEqual(expected);
    for (const symbol of ['AAPL', 'MSFT']) {
      for (const interval of CANDLE_INTERVAL_NAMES) expect(await store.indicators(symbol, interval, 500)).toEqual(await steadyStore.indicators(symbol, interval, 500));
    }
    expect(got.filter((p) => p.interval === '1s').at(-1)!.values['sma:200']).toBeDefined();
  });
});
