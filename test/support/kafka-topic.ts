import { randomUUID } from 'node:crypto';
import { Admin, Consumer, type Message } from '@platformatic/kafka';
import { unpackRecord } from '../../src/adapters/kafka/packed-records.js';
import { waitFor } from './wait.js';

export const kafkaBrokers = (): string[] => (process.env.KAFKA_BROKERS ?? '').split(',').map((b) => b.trim()).filter(Boolean);

/** A topic name private to one test. */
export const uniqueTopic = (label: string): string => `tickstream-test-${label}-${randomUUID().slice(0, 8)}`;

/**
 * Every log record of a topic, read from the start up to the end offsets as they are when called
 * (ground truth for the tests): a packed Kafka record's records (src/adapters/kafka/packed-records.ts)
 * each, in order. Values are parsed as JSON.
 */
export async function readTopic<T>(topic: string, brokers = kafkaBrokers()): Promise<T[]> {
  const consumer = new Consumer({ clientId: 'tickstream-test-reader', groupId: `reader-${randomUUID()}`, bootstrapBrokers: brokers, autocommit: false, maxWaitTime: 200 });
  try {
    const ends = (await consumer.listOffsets({ topics: [topic] })).get(topic) ?? [];
    const total = ends.reduce((n, end) => n + Number(end), 0);
    const out: T[] = [];
    if (total === 0) return out;
    const json = { encode: (v: T) => JSON.stringify(v), decode: (raw: string | Buffer) => JSON.parse(raw.toString()) as T };
    let read = 0;
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
    stream.on('data', (m: Message<Buffer, Buffer, Buffer, Buffer>) => {
      if (m.offset >= (ends[m.partition] ?? 0n)) return;
      read++;
      for (const value of unpackRecord(m.key, m.value, m.headers, json).values) out.push(value!);
    });
    await waitFor(() => read >= total, `all ${total} Kafka records of ${topic}`, 60_000, 50);
    await stream.close();
    return out;
  } finally {
    await new Promise<void>((resolve) => consumer.close(true, () => resolve()));
  }
}

/** Deletes topics and groups a test made (best effort: leftovers on a test broker are untidy, not wrong). */
export async function deleteTopics(topics: string[], groups: string[] = [], brokers = kafkaBrokers()): Promise<void> {
  const admin = new Admin({ clientId: 'tickstream-test-cleanup', bootstrapBrokers: brokers });
  try {
    if (groups.length > 0) await admin.deleteGroups({ groups }).catch(() => {});
    await admin.deleteTopics({ topics }).catch(() => {});
  } finally {
    await admin.close().catch(() => {});
  }
}
