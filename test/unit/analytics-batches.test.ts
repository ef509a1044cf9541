import { describe, expect, it } from 'vitest';
import { MemoryEventLog } from '../../src/adapters/memory/memory-event-log.js';
import { MemoryPriceStore } from '../../src/adapters/memory/memory-price-store.js';
import type { IndicatorPoint } from '../../src/domain/analytics/symbol-analytics.js';
import type { Tick } from '../../src/domain/tick.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import type { LogRecord } from '../../src/ports/event-log.js';
import { AnalyticsService } from '../../src/services/analytics.js';
import { aTick, T0 } from '../support/ticks.js';

const records = (ticks: readonly Tick[]): LogRecord<Tick>[] => ticks.map((t, i) => ({ key: t.symbol, value: t, partition: 0, offset: String(i) }));

describe('analytics role: what a batch stores and publishes', () => {
  it('a batch that closes a candle and opens the next stores (and hands on) the closed candle’s final values too', async () => {
    const store = new MemoryPriceStore({ historyLimit: 100, candleLimit: 500, indicatorLimit: 100 });
    const published: IndicatorPoint[][] = [];
    const analytics = new AnalyticsService({
      log: new MemoryEventLog<Tick>({ partitions: 1, retention: 1_000 }),
      store,
      spec: { smaPeriods: [2], emaPeriods: [] },
      candleLimit: 500,
      maxBatch: 500,
      moversEveryMs: 3_600_000,
      metrics: createMetrics({ defaultMetrics: false }),
      logger: createLogger({ level: 'silent', format: 'json' }),
      onPoints: async (points) => void published.push([...points]),
    });
    // One batch: second 0 closes at 12, second 1 opens at 20. The close of second 0 is 12, not 10.
    await analytics.handle(records([aTick({ seq: 1, ts: T0, price: 10 }), aTick({ seq: 2, ts: T0 + 500, price: 12 }), aTick({ seq: 3, ts: T0 + 1_000, price: 20 })]));
    const stored = await store.indicators('AAPL', '1s', 10);
    expect(stored.map((p) => [p.time, p.values['sma:2']])).toEqual([
      [T0, undefined],
      [T0 + 1_000, 16],
    ]);
    // VWAP of second 0 from its final candle (typical price of high 12, low 10, close 12), not from its first tick alone.
    expect(stored[0]!.values.vwap).toBeCloseTo((12 + 10 + 12) / 3, 6);
    expect(published.flat().filter((p) => p.interval === '1s').map((p) => p.time)).toEqual([T0, T0 + 1_000]);
  });
});
