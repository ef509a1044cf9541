/**
 * Every call the adapter makes on the real @platformatic/kafka clients, with the option shapes it
 * uses, against a port nothing listens on: each must fail on the network, not on the client's
 * validation of its options (which would otherwise surface only on a real broker). The clients
 * validate only with `strict: true`, which these tests turn on.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { Admin, ListOffsetTimestamps, Producer } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseClientOptions, consumerClientOptions, producerClientOptions, resolveSettings, type KafkaSettings } from '../../src/adapters/kafka/config.js';
import { describeKafkaError } from '../../src/adapters/kafka/errors.js';
import { GroupClient } from '../../src/adapters/kafka/group-client.js';

let settings: KafkaSettings;
const closers: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  settings = resolveSettings({ brokers: `127.0.0.1:${port}`, topic: 'ticks', partitions: 2, replication: 1, connectTimeoutMs: 300, retries: 0, retryDelayMs: 10 });
});

afterAll(async () => {
  for (const c of closers) await c.close().catch(() => {});
});

/** Rejects with a connection failure: the options were accepted and the client tried the network. */
async function expectNetworkFailure(what: string, call: () => Promise<unknown>): Promise<void> {
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, what).toBeDefined();
  const description = describeKafkaError(error);
  expect(description, what).not.toMatch(/options|must be|must have|should/i);
  expect(description, what).toMatch(/connect|ECONNREFUSED|broker/i);
}

describe('client calls the adapter makes', () => {
  it('admin: listTopics, createTopics with configs, metadata', async () => {
    const admin = new Admin({ ...baseClientOptions(settings, 'unit-admin'), strict: true });
    closers.push(admin);
    await expectNetworkFailure('listTopics', () => admin.listTopics());
    await expectNetworkFailure('createTopics', () => admin.createTopics({ topics: ['ticks'], partitions: 2, replicas: 1 }));
    // `configs` is in the client's typings and used by its implementation, but missing from its
    // strict-mode schema; the adapter runs non-strict, where the options are not validated.
    const lenient = new Admin(baseClientOptions(settings, 'unit-admin-lenient'));
    closers.push(lenient);
    await expectNetworkFailure('createTopics with configs', () => lenient.createTopics({ topics: ['ticks'], partitions: 2, replicas: 1, configs: [{ name: 'min.insync.replicas', value: '1' }] }));
    const entry = createRequire(import.meta.url).resolve('@platformatic/kafka');
    expect(readFileSync(join(dirname(entry), 'clients', 'admin', 'admin.js'), 'utf8')).toContain('const configs = options.configs ?? [];');
    await expectNetworkFailure('metadata', () => admin.metadata({ topics: ['ticks'], forceUpdate: true }));
  });

  it('producer: an idempotent send with explicit partitions and Buffer keys and values', async () => {
    const producer = new Producer({ ...producerClientOptions(settings), strict: true });
    closers.push(producer);
    await expectNetworkFailure('send', () => producer.send({ messages: [{ topic: 'ticks', key: Buffer.from('AAPL'), value: Buffer.from('{}'), partition: 1 }] }));
  });

  it('group member: join, offsets, fetch with its own connection pool, commit', async () => {
    const client = new GroupClient({ ...consumerClientOptions(settings, 'processor', 'unit'), strict: true });
    closers.push(client);
    client.topics.track('ticks');
    client.on('error', () => {});
    await expectNetworkFailure('joinGroup', () => client.joinGroup({}));
    await expectNetworkFailure('listOffsets', () => client.listOffsets({ topics: ['ticks'], partitions: { ticks: [0, 1] }, timestamp: ListOffsetTimestamps.EARLIEST }));
    await expectNetworkFailure('listCommittedOffsets', () => client.listCommittedOffsets({ topics: [{ topic: 'ticks', partitions: [0, 1] }] }));
    await expectNetworkFailure('metadata', () => client.metadata({ topics: ['ticks'] }));
    await expectNetworkFailure('fetch', () =>
      client.fetch({
        node: 1,
        topics: [{ topicId: '00000000-0000-0000-0000-000000000000', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1024, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }] }],
        maxWaitTime: 100,
        minBytes: 1,
        maxBytes: 1024 * 1024,
        connectionPool: client.connections,
      }),
    );
    await expectNetworkFailure('commit', () => client.commit({ offsets: [{ topic: 'ticks', partition: 0, offset: 5n, leaderEpoch: -1 }] }));
    // Leaving a group never joined needs no broker.
    await new Promise<void>((resolve, reject) => client.leaveGroup(false, (error) => (error ? reject(error) : resolve())));
  });
});
