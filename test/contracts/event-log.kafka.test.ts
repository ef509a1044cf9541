import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Admin } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { KafkaEventLog, KafkaUnavailableError } from '../../src/adapters/kafka/kafka-event-log.js';
import type { EventLog } from '../../src/ports/event-log.js';
import { eventLogContract, itemCodec, type Item } from './event-log.contract.js';


const brokers = process.env.KAFKA_BROKERS?.trim();

if (brokers) {
  // Each test gets its own topic, and its group names get a prefix of their own, so groups with
  // the same name in two tests (`g`) are different Kafka groups. Short heartbeats let members see
  // a rebalance quickly; the broker's group.initial.rebalance.delay.ms should be 0 (deploy/compose/docker-compose.yml
  // sets it), or every first join of a group waits 3 s.
  // retentionByCount: false — Kafka retains by time and size, never by record count.
  // exclusiveHandOver: false — the client rejoins a rebalance without waiting for the batch in
  // flight (src/adapters/kafka/group-consumer.ts), so old and new owner may overlap for a batch.
  eventLogContract(
    'kafka',
    async ({ partitions }) => {
      const suffix = randomUUID().slice(0, 8);
      const topic = `tickstream-contract-${suffix}`;
      const log = new KafkaEventLog<Item>({
        brokers,
        topic,
        partitions,
        replication: 1,
        codec: itemCodec,
        clientId: `tickstream-test-${suffix}`,
        sessionTimeoutMs: 6_000,
        heartbeatIntervalMs: 200,
        rebalanceTimeoutMs: 10_000,
        fetchMaxWaitMs: 200,
        retryBackoffMs: 20,
      });
      await log.start();
      const groups = new Set<string>();
      const scoped: EventLog<Item> = {
        start: () => log.start(),
        close: () => log.close(),
        ping: () => log.ping(),
        append: (records) => log.append(records),
        consume: (options, handler) => {
          const group = `${topic}.${options.group}`;
          groups.add(group);
          return log.consume({ ...options, group }, handler);
        },
        consumerLag: (group) => log.consumerLag(`${topic}.${group}`),
      };
      return {
        log: scoped,
        cleanup: async () => {
          await log.close();
          await removeTopicAndGroups(brokers, topic, [...groups]);
        },
      };
    },
    { retentionByCount: false, exclusiveHandOver: false },
  );
}

/** Best effort: a leftover topic on a test broker is untidy, not wrong. */
async function removeTopicAndGroups(list: string, topic: string, groups: string[]): Promise<void> {
  const admin = new Admin({ clientId: 'tickstream-test-cleanup', bootstrapBrokers: list.split(',').map((b) => b.trim()) });
  try {
    if (groups.length > 0) await admin.deleteGroups({ groups }).catch(() => {});
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  } finally {
    await admin.close().catch(() => {});
  }
}

/** A port on 127.0.0.1 that nothing listens on (bound by the OS, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

// Runs with or without a broker: users rely on a clear, quick failure when Kafka is not there.
describe('KafkaEventLog without a reachable broker', () => {
  it('is constructed from its options, and start() rejects quickly with an error naming the broker and the cause', async () => {
    const port = await closedPort();
    const log = new KafkaEventLog<Item>({
      brokers: `127.0.0.1:${port}`,
      topic: 'tickstream-unreachable',
      partitions: 3,
      replication: 1,
      codec: itemCodec,
      connectTimeoutMs: 500,
      requestTimeoutMs: 1_000,
      retries: 1,
      retryDelayMs: 50,
    });
    expect(log.settings.brokers).toEqual([{ host: '127.0.0.1', port }]);
    expect(log.settings.topic).toBe('tickstream-unreachable');

    const startedAt = Date.now();
    const error = await log.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    const elapsed = Date.now() - startedAt;

    expect(error).toBeInstanceOf(KafkaUnavailableError);
    const message = (error as Error).message;
    expect(message).toContain(`127.0.0.1:${port}`);
    expect(message).toContain('"tickstream-unreachable"');
    expect(message).toMatch(/ECONNREFUSED/);
    expect(elapsed).toBeLessThan(5_000);

    // A log that did not start says so instead of hanging.
    await expect(log.append([{ key: 'A', value: { key: 'A', n: 1 } }])).rejects.toThrow(/not started/);
    await expect(log.consume({ group: 'g' }, async () => {})).rejects.toThrow(/not started/);
    await expect(log.ping()).rejects.toThrow(/not started/);
    await log.close();
    await expect(log.start()).rejects.toThrow(/closed/);
  });
});
