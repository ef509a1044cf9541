import { afterEach, describe, expect, it } from 'vitest';
import { MemoryEventLog } from '../../src/adapters/memory/memory-event-log.js';
import { MemoryPriceStore } from '../../src/adapters/memory/memory-price-store.js';
import type { IndicatorSpec } from '../../src/domain/analytics/catalogue.js';
import type { Tick } from '../../src/domain/tick.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import type { LogRecord } from '../../src/ports/event-log.js';
import { AnalyticsService } from '../../src/services/analytics.js';
import { aTick, T0 } from '../support/ticks.js';

const SPEC: IndicatorSpec = { smaPeriods: [3], emaPeriods: [3] };
const LIMITS = { historyLimit: 100, candleLimit: 500, indicatorLimit: 100 };
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** The role on a memory store with a hand-driven wall clock; the test hands it batches as the log would. */
async function role(store: MemoryPriceStore, clock: { now: number }): Promise<AnalyticsService> {
  const service = new AnalyticsService({
    log: new MemoryEventLog<Tick>({ partitions: 1, retention: 1_000 }),
    store,
    spec: SPEC,
    candleLimit: LIMITS.candleLimit,
    maxBatch: 500,
    moversEveryMs: 3_600_000,
    clock: () => clock.now,
    metrics: createMetrics({ defaultMetrics: false }),
    logger: createLogger({ level: 'silent', format: 'json' }),
  });
  await service.start();
  stops.push(() => service.stop());
  return service;
}

let offset = 0;
const records = (ticks: readonly Tick[]): LogRecord<Tick>[] => ticks.map((t) => ({ key: t.symbol, value: t, partition: 0, offset: String(offset++) }));
const symbolsIn = async (store: MemoryPriceStore, window: '1m' | '5m' | '1h' | 'day'): Promise<string[]> => (await store.windowStats(window)).map((s) => s.symbol).sort();

describe('analytics role: movers over windows when symbols go quiet', () => {
  it('a symbol with no tick in the last minute drops out of the 1m window while others trade, and stays in 5m', async () => {
    const store = new MemoryPriceStore(LIMITS);
    const clock = { now: 1_000_000 };
    const analytics = await role(store, clock);
    await analytics.handle(records([aTick({ symbol: 'AAPL', seq: 1, ts: T0, price: 100 }), aTick({ symbol: 'MSFT', seq: 1, ts: T0, price: 400 })]));
    await analytics.storeWindowStats();
    expect(await symbolsIn(store, '1m')).toEqual(['AAPL', 'MSFT']);

    // MSFT keeps trading for two minutes; AAPL says nothing more.
    for (let i = 1; i <= 12; i++) await analytics.handle(records([aTick({ symbol: 'MSFT', seq: 1 + i, ts: T0 + i * 10_000, price: 400 + i })]));
    await analytics.storeWindowStats();
    expect(await symbolsIn(store, '1m')).toEqual(['MSFT']);
    expect(await symbolsIn(store, '5m')).toEqual(['AAPL', 'MSFT']);
    const msft = (await store.windowStats('1m'))[0]!;
    expect(msft.to).toBe(T0 + 121_000);
    expect(msft.price).toBe(412);
  });

  it('when the whole market goes quiet the windows keep sliding with the clock: stats refresh, then go', async () => {
    const store = new MemoryPriceStore(LIMITS);
    const clock = { now: 5_000_000 };
    const analytics = await role(store, clock);
    await analytics.handle(records([aTick({ symbol: 'AAPL', seq: 1, ts: T0, price: 100 }), aTick({ symbol: 'AAPL', seq: 2, ts: T0 + 30_000, price: 101 })]));
    await analytics.storeWindowStats();
    expect((await store.windowStats('1m'))[0]).toMatchObject({ symbol: 'AAPL', from: T0 + 31_000 - 60_000, to: T0 + 31_000, trades: 2 });

    // 40 s later, still nothing: the first tick has left the 1m window, the second is still in it.
    clock.now += 40_000;
    await analytics.storeWindowStats();
    expect((await store.windowStats('1m'))[0]).toMatchObject({ symbol: 'AAPL', to: T0 + 71_000, trades: 1, reference: 100, price: 101 });

    // Past a minute after the last tick: out of 1m, still in 5m, 1h and the day.
    clock.now += 30_000;
    await analytics.storeWindowStats();
    expect(await symbolsIn(store, '1m')).toEqual([]);
    expect(await symbolsIn(store, '5m')).toEqual(['AAPL']);
    expect(await symbolsIn(store, 'day')).toEqual(['AAPL']);

    // A new tick brings it back.
    await analytics.handle(records([aTick({ symbol: 'AAPL', seq: 3, ts: T0 + 100_000, price: 102 })]));
    await analytics.storeWindowStats();
    expect(await symbolsIn(store, '1m')).toEqual(['AAPL']);
  });

  it('after a restart, stats the previous run stored for a symbol that has since gone quiet are removed', async () => {
    const store = new MemoryPriceStore(LIMITS);
    await store.applyTicks([aTick({ symbol: 'AAPL', seq: 1, ts: T0, price: 100 })]);
    const clock = { now: 9_000_000 };
    const first = await role(store, clock);
    await first.handle(records([aTick({ symbol: 'AAPL', seq: 1, ts: T0, price: 100 })]));
    await first.stop();
    stops.pop();
    expect(await symbolsIn(store, '1m')).toEqual(['AAPL']);

    // The new run starts at once and then sees two minutes pass without a tick.
    const second = await role(store, clock);
    clock.now += 120_000;
    await second.storeWindowStats();
    expect(await symbolsIn(store, '1m')).toEqual([]);
    expect(await symbolsIn(store, '5m')).toEqual(['AAPL']);
  });
});
