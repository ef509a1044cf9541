import { describe, expect, it } from 'vitest';
import { MemoryPriceStore } from '../../src/adapters/memory/memory-price-store.js';
import { MemoryPubSub } from '../../src/adapters/memory/memory-pubsub.js';
import { logPositionOf } from '../../src/domain/log-position.js';
import type { Tick } from '../../src/domain/tick.js';
import { createMetrics } from '../../src/observability/metrics.js';
import type { Logger } from '../../src/observability/logger.js';
import type { EventLog } from '../../src/ports/event-log.js';
import { tickChannel } from '../../src/ports/pubsub.js';
import { ProcessorService } from '../../src/services/processor.js';

const quiet = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, fatal() {}, child: () => quiet } as unknown as Logger;

/** Runs one batch of two ticks through a processor and returns what subscribers received. */
async function published(logPositions: boolean | undefined): Promise<Tick[]> {
  const pubsub = new MemoryPubSub<Tick>();
  const got: Tick[] = [];
  await pubsub.subscribe(tickChannel('AAPL'), (t) => got.push(t));
  const processor = new ProcessorService({
    log: {} as EventLog<Tick>,
    store: new MemoryPriceStore({ historyLimit: 10, candleLimit: 10 }),
    pubsub,
    maxBatch: 10,
    logPositions,
    metrics: createMetrics({ defaultMetrics: false }),
    logger: quiet,
  });
  const tick = (seq: number): Tick => ({ symbol: 'AAPL', price: 100 + seq, size: 1, ts: 1_700_000_000_000 + seq, seq, source: 'test' });
  await processor.handle([
    { key: 'AAPL', value: tick(1), partition: 3, offset: '41/0' },
    { key: 'AAPL', value: tick(2), partition: 3, offset: '41/1' },
  ]);
  return got;
}

describe('ProcessorService log positions', () => {
  it('attaches each tick its partition and offset by default, for Socket.IO', async () => {
    const got = await published(undefined);
    expect(got.map((t) => t.seq)).toEqual([1, 2]);
    expect(got.map((t) => ({ partition: logPositionOf(t)?.partition, offset: logPositionOf(t)?.offset }))).toEqual([
      { partition: 3, offset: '41/0' },
      { partition: 3, offset: '41/1' },
    ]);
  });

  it('attaches none when told (no Socket.IO in the deployment)', async () => {
    const got = await published(false);
    expect(got.map((t) => t.seq)).toEqual([1, 2]);
    expect(got.map((t) => logPositionOf(t))).toEqual([undefined, undefined]);
  });
});
