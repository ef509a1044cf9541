import { randomUUID } from 'node:crypto';
import { Producer } from '@platformatic/kafka';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tickCodec } from '../../src/adapters/codec.js';
import { KafkaEventLog } from '../../src/adapters/kafka/kafka-event-log.js';
import { partitionFor } from '../../src/adapters/partitioning.js';
import type { Tick } from '../../src/domain/tick.js';
import { carriedTraceparent } from '../../src/observability/tracing/carrier.js';
import { tracingState } from '../../src/observability/tracing/state.js';
import type { LogRecord } from '../../src/ports/event-log.js';
import { deleteTopics, kafkaBrokers, uniqueTopic } from '../support/kafka-topic.js';
import { waitFor } from '../support/wait.js';

/**
 * The tick topic as a rolling upgrade leaves it: one-tick records written by an earlier version
 * (key = symbol, the tick's JSON, its trace context in a `traceparent` header) before and after
 * packed records of this one. A consumer reads them all, in order per symbol.
 */
const brokers = kafkaBrokers();
const PARTITIONS = 3;
const SYMBOLS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'TSLA'];
const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe.skipIf(brokers.length === 0)('Kafka tick log: records of the one-tick layout beside packed ones', () => {
  const topic = uniqueTopic('layouts');
  const group = `${topic}-g`;
  let log: KafkaEventLog<Tick>;
  let seq = 0;
  const tick = (symbol: string): Tick => ({ symbol, price: 100 + seq, size: 1, ts: 1_700_000_000_000 + seq, seq: ++seq, source: 'test' });

  beforeEach(async () => {
    tracingState.on = true; // trace contexts are carried only while the process traces
    log = new KafkaEventLog<Tick>({ brokers: brokers.join(','), topic, partitions: PARTITIONS, replication: 1, codec: tickCodec, clientId: `tickstream-test-${randomUUID().slice(0, 8)}`, fetchMaxWaitMs: 200, heartbeatIntervalMs: 200, sessionTimeoutMs: 6_000, rebalanceTimeoutMs: 10_000 });
    await log.start();
  });

  afterEach(async () => {
    tracingState.on = false;
    await log.close();
    await deleteTopics([topic], [group]);
  });

  /** One Kafka record per tick, as versions before packing wrote them. */
  async function appendOneTickRecords(ticks: readonly Tick[]): Promise<void> {
    const producer = new Producer({ clientId: 'tickstream-test-old-layout', bootstrapBrokers: brokers, idempotent: true, acks: -1 });
    try {
      await producer.send({
        messages: ticks.map((t, i) => ({
          topic,
          partition: partitionFor(t.symbol, PARTITIONS),
          key: Buffer.from(t.symbol),
          value: Buffer.from(tickCodec.encode(t, { traceContext: false })),
          // The first one sampled: its context travels in the header.
          headers: i === 0 ? new Map([[Buffer.from('traceparent'), Buffer.from(TRACEPARENT)]]) : new Map<Buffer, Buffer>(),
        })),
      });
    } finally {
      await producer.close();
    }
  }

  it('reads both layouts, every tick once, in append order per symbol, with its key and a distinct offset', async () => {
    const before = SYMBOLS.map(tick);
    await appendOneTickRecords(before);
    const packed = Array.from({ length: 40 }, (_, i) => tick(SYMBOLS[i % SYMBOLS.length]!));
    await log.append(packed.map((t) => ({ key: t.symbol, value: t })));
    const after = SYMBOLS.map(tick);
    await appendOneTickRecords(after);
    const appended = [...before, ...packed, ...after];

    const got: LogRecord<Tick>[] = [];
    const consumer = await log.consume({ group, from: 'earliest', maxBatch: 7 }, async (records) => {
      got.push(...records);
    });
    try {
      await waitFor(() => got.length >= appended.length, 'every tick', 20_000);
    } finally {
      await consumer.stop();
    }

    expect(got.map((r) => r.value.seq).sort((a, b) => a - b)).toEqual(appended.map((t) => t.seq));
    for (const symbol of SYMBOLS) {
      const mine = got.filter((r) => r.value.symbol === symbol);
      expect(mine.map((r) => r.value.seq), symbol).toEqual(appended.filter((t) => t.symbol === symbol).map((t) => t.seq));
      expect(new Set(mine.map((r) => r.key)), symbol).toEqual(new Set([symbol]));
      expect(new Set(mine.map((r) => r.partition)), symbol).toEqual(new Set([partitionFor(symbol, PARTITIONS)]));
    }
    expect(new Set(got.map((r) => `${r.partition}:${r.offset}`)).size).toBe(got.length);
    // One-tick records keep the Kafka offset as it is; a packed tick's is `<offset>/<index>`.
    const offsetOf = (t: Tick) => got.find((r) => r.value.seq === t.seq)!.offset;
    for (const t of [...before, ...after]) expect(offsetOf(t)).toMatch(/^\d+$/);
    for (const t of packed) expect(offsetOf(t)).toMatch(/^\d+\/\d+$/);
    expect(carriedTraceparent(got.find((r) => r.value.seq === before[0]!.seq)!.value)).toBe(TRACEPARENT);
  });
});
