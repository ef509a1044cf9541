/**
 * KafkaEventLog on a simulated cluster: the adapter's own logic (fetch loop, batches, commits,
 * seek-back, rebalance gate, stop/abort, start positions, out-of-range recovery) runs for real,
 * against in-process stand-ins for the three @platformatic/kafka clients it uses. The stand-ins
 * model the broker behaviour the adapter relies on (classic group protocol: a rebalance waits for
 * every member to rejoin, members learn of it from a heartbeat, commits are checked against the
 * generation; fetch long polls; OFFSET_OUT_OF_RANGE below the log start). They are a model, not
 * Kafka: test/contracts/event-log.kafka.test.ts runs the same contract on a real broker when
 * KAFKA_BROKERS is set.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { KafkaEventLog, type KafkaClientFactory } from '../../src/adapters/kafka/kafka-event-log.js';
import { partitionFor } from '../../src/adapters/partitioning.js';
import { waitFor } from '../support/wait.js';
import { eventLogContract, itemCodec, type Item } from '../contracts/event-log.contract.js';

interface StoredRecord {
  readonly key: Buffer;
  readonly value: Buffer;
}

class SimPartition {
  base = 0n;
  readonly records: StoredRecord[] = [];
  get end(): bigint {
    return this.base + BigInt(this.records.length);
  }
}

class SimTopic {
  readonly id = randomUUID();
  readonly partitions: SimPartition[];
  constructor(count: number) {
    this.partitions = Array.from({ length: count }, () => new SimPartition());
  }
}

const protocolError = (apiId: string, extra: object = {}): Error => Object.assign(new Error(apiId), { apiId, needsRejoin: ['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'REBALANCE_IN_PROGRESS'].includes(apiId), ...extra });

class SimCluster {
  readonly topics = new Map<string, SimTopic>();
  readonly groups = new Map<string, SimGroup>();
  readonly created: { topics: string[]; partitions?: number; replicas?: number; configs?: unknown }[] = [];
  private waiters = new Set<() => void>();

  /** Records kept per partition (the model retains by count, like the memory log). */
  constructor(readonly retention = Number.POSITIVE_INFINITY) {}

  append(topic: string, partition: number, record: StoredRecord): void {
    const t = this.topics.get(topic);
    if (!t) throw protocolError('UNKNOWN_TOPIC_OR_PARTITION');
    const p = t.partitions[partition % t.partitions.length]!;
    p.records.push(record);
    const excess = p.records.length - this.retention;
    if (excess > 0) {
      p.records.splice(0, excess);
      p.base += BigInt(excess);
    }
  }

  notify(): void {
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const w of waiters) w();
  }

  waitForAppend(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  group(name: string): SimGroup {
    let g = this.groups.get(name);
    if (!g) this.groups.set(name, (g = new SimGroup(this)));
    return g;
  }

  metadata(topics: readonly string[]) {
    const out = new Map<string, { id: string; partitionsCount: number; partitions: { leader: number }[] }>();
    for (const name of topics) {
      const t = this.topics.get(name);
      if (t) out.set(name, { id: t.id, partitionsCount: t.partitions.length, partitions: t.partitions.map(() => ({ leader: 1 })) });
    }
    return { topics: out };
  }
}

/** The coordinator's view of one group (classic protocol, simplified). */
class SimGroup {
  generation = 0;
  preparing = false;
  readonly members: SimConsumer[] = [];
  readonly rejoined = new Set<SimConsumer>();
  readonly committed = new Map<string, bigint>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly cluster: SimCluster) {}

  join(member: SimConsumer): void {
    if (!this.members.includes(member)) this.members.push(member);
    this.prepare(member.rebalanceTimeout);
    this.rejoined.add(member);
    this.maybeComplete();
  }

  leave(member: SimConsumer): void {
    const i = this.members.indexOf(member);
    if (i < 0) return;
    this.members.splice(i, 1);
    this.rejoined.delete(member);
    if (this.members.length === 0) {
      this.preparing = false;
      clearTimeout(this.timer);
      return;
    }
    this.prepare(member.rebalanceTimeout);
    this.maybeComplete();
  }

  commit(member: SimConsumer, generation: number, offsets: readonly { topic: string; partition: number; offset: bigint }[]): void {
    if (!this.members.includes(member)) throw protocolError('UNKNOWN_MEMBER_ID');
    if (generation !== this.generation) throw protocolError('ILLEGAL_GENERATION');
    for (const o of offsets) this.committed.set(`${o.topic}:${o.partition}`, o.offset);
  }

  private prepare(rebalanceTimeout: number): void {
    if (this.preparing) return;
    this.preparing = true;
    this.rejoined.clear();
    // Members that do not rejoin in time are dropped, as Kafka does after the rebalance timeout.
    this.timer = setTimeout(() => {
      for (const m of [...this.members]) if (!this.rejoined.has(m)) this.members.splice(this.members.indexOf(m), 1);
      this.maybeComplete();
    }, rebalanceTimeout);
  }

  private maybeComplete(): void {
    if (!this.preparing || this.members.some((m) => !this.rejoined.has(m))) return;
    clearTimeout(this.timer);
    this.preparing = false;
    this.generation++;
    const generation = this.generation;
    const members = [...this.members];
    const topic = members[0]?.topic ?? '';
    const count = this.cluster.topics.get(topic)?.partitions.length ?? 0;
    const assignment = members.map(() => [] as number[]);
    for (let p = 0; p < count; p++) assignment[p % members.length]!.push(p);
    members.forEach((m, i) => setImmediate(() => m.assigned(generation, assignment[i]!)));
  }
}

/** Stand-in for GroupClient: the methods and events GroupMember uses. */
class SimConsumer extends EventEmitter {
  beforeRejoin: ((error: Error) => Promise<boolean>) | undefined;
  commitGuard: ((generationId: number, partitions: readonly number[]) => Error | undefined) | undefined;
  generationId = 0;
  memberId: string | null = null;
  topic = '';
  readonly clientId: string;
  readonly rebalanceTimeout: number;
  readonly topics = { track: (topic: string) => ((this.topic = topic), true) };
  readonly connections = { close: async () => {} };
  private active = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private joinWaiters: ((memberId: string) => void)[] = [];
  private readonly groupName: string;
  private readonly heartbeatInterval: number;

  constructor(
    private readonly cluster: SimCluster,
    options: { clientId: string; groupId: string; heartbeatInterval: number; rebalanceTimeout: number },
  ) {
    super();
    this.clientId = options.clientId;
    this.groupName = options.groupId;
    this.heartbeatInterval = options.heartbeatInterval;
    this.rebalanceTimeout = options.rebalanceTimeout;
  }

  private get group(): SimGroup {
    return this.cluster.group(this.groupName);
  }

  joinGroup(): Promise<string> {
    this.active = true;
    this.memberId ??= randomUUID();
    return new Promise((resolve) => {
      this.joinWaiters.push(resolve);
      setImmediate(() => this.group.join(this));
    });
  }

  assigned(generation: number, partitions: number[]): void {
    if (!this.active) return;
    this.generationId = generation;
    this.emit('consumer:group:join', { groupId: this.groupName, memberId: this.memberId, generationId: generation, assignments: [{ topic: this.topic, partitions }] });
    for (const w of this.joinWaiters.splice(0)) w(this.memberId!);
    this.scheduleHeartbeat();
  }

  private scheduleHeartbeat(): void {
    clearTimeout(this.heartbeat);
    this.heartbeat = setTimeout(() => void this.beat(), this.heartbeatInterval);
  }

  /** Like the client: a heartbeat answer that calls for a rejoin goes through the gate, then it rejoins. */
  private async beat(): Promise<void> {
    if (!this.active) return;
    const group = this.group;
    const dropped = !group.members.includes(this);
    if (dropped || (group.preparing && !group.rejoined.has(this))) {
      const error = protocolError(dropped ? 'UNKNOWN_MEMBER_ID' : 'REBALANCE_IN_PROGRESS');
      const rejoin = await (this.beforeRejoin?.(error) ?? Promise.resolve(true)).catch(() => true);
      if (!rejoin || !this.active) return;
      void this.joinGroup();
      return;
    }
    this.scheduleHeartbeat();
  }

  leaveGroup(_force: boolean, callback: (error: Error | null) => void): void {
    this.active = false;
    clearTimeout(this.heartbeat);
    this.group.leave(this);
    this.memberId = null;
    setImmediate(() => callback(null));
  }

  async close(): Promise<void> {
    this.active = false;
    clearTimeout(this.heartbeat);
    this.group.leave(this);
  }

  clearMetadata(): void {}

  async metadata(options: { topics: string[] }) {
    await new Promise(setImmediate);
    return this.cluster.metadata(options.topics);
  }

  async commit(options: { offsets: { topic: string; partition: number; offset: bigint }[] }): Promise<void> {
    const refusal = this.commitGuard?.(
      this.generationId,
      options.offsets.map((o) => o.partition),
    );
    if (refusal) throw refusal;
    await new Promise(setImmediate);
    this.group.commit(this, this.generationId, options.offsets);
  }

  async listCommittedOffsets(options: { topics: { topic: string; partitions: number[] }[] }) {
    await new Promise(setImmediate);
    const out = new Map<string, bigint[]>();
    for (const { topic, partitions } of options.topics) {
      const offsets: bigint[] = [];
      for (const p of partitions) offsets[p] = this.group.committed.get(`${topic}:${p}`) ?? -1n;
      out.set(topic, offsets);
    }
    return out;
  }

  async listOffsets(options: { topics: string[]; partitions?: Record<string, number[]>; timestamp?: bigint }) {
    await new Promise(setImmediate);
    const out = new Map<string, bigint[]>();
    for (const name of options.topics) {
      const t = this.cluster.topics.get(name)!;
      const offsets: bigint[] = Array(t.partitions.length);
      const wanted = options.partitions?.[name] ?? t.partitions.map((_, i) => i);
      for (const p of wanted) offsets[p] = options.timestamp === -2n ? t.partitions[p]!.base : t.partitions[p]!.end;
      out.set(name, offsets);
    }
    return out;
  }

  async fetch(options: { topics: { topicId: string; partitions: { partition: number; fetchOffset: bigint }[] }[]; maxWaitTime: number }) {
    const request = options.topics[0]!;
    const topic = [...this.cluster.topics.values()].find((t) => t.id === request.topicId)!;
    const build = () => {
      const outOfRange: number[] = [];
      const partitions = request.partitions.map((r, j) => {
        const p = topic.partitions[r.partition]!;
        const common = { partitionIndex: r.partition, highWatermark: p.end, lastStableOffset: p.end, logStartOffset: p.base, abortedTransactions: [], preferredReadReplica: -1 };
        if (r.fetchOffset < p.base || r.fetchOffset > p.end) {
          outOfRange.push(j);
          return { ...common, errorCode: 1 };
        }
        const from = Number(r.fetchOffset - p.base);
        const slice = p.records.slice(from, from + 64);
        if (slice.length === 0) return { ...common, errorCode: 0 };
        const batch = { firstOffset: r.fetchOffset, lastOffsetDelta: slice.length - 1, attributes: 0, records: slice.map((rec, i) => ({ offsetDelta: i, key: rec.key, value: rec.value })) };
        return { ...common, errorCode: 0, records: [batch] };
      });
      return { outOfRange, response: { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [{ topicId: request.topicId, partitions }] } };
    };
    let result = build();
    if (result.outOfRange.length === 0 && result.response.responses[0]!.partitions.every((p) => !('records' in p))) {
      await this.cluster.waitForAppend(options.maxWaitTime);
      result = build();
    }
    if (result.outOfRange.length > 0) {
      const errors = result.outOfRange.map((j) => protocolError('OFFSET_OUT_OF_RANGE', { path: `/responses/0/partitions/${j}`, canRetry: false }));
      throw Object.assign(new AggregateError(errors, 'Received response with error while executing API Fetch(v17)'), { response: result.response });
    }
    return result.response;
  }
}

function simulatedClients(cluster: SimCluster): KafkaClientFactory {
  const closable = { close: async () => {}, connections: { close: async () => {} }, on: () => {} };
  return {
    admin: () =>
      ({
        ...closable,
        listTopics: async () => [...cluster.topics.keys()],
        createTopics: async (options: { topics: string[]; partitions?: number; replicas?: number; configs?: unknown }) => {
          cluster.created.push(options);
          for (const name of options.topics) if (!cluster.topics.has(name)) cluster.topics.set(name, new SimTopic(options.partitions ?? 1));
          return [];
        },
        metadata: async (options: { topics: string[] }) => cluster.metadata(options.topics),
      }) as never,
    producer: () =>
      ({
        ...closable,
        send: async (options: { messages: { topic: string; partition: number; key: Buffer; value: Buffer }[] }) => {
          await new Promise(setImmediate);
          for (const m of options.messages) cluster.append(m.topic, m.partition, { key: m.key, value: m.value });
          cluster.notify();
          return {};
        },
      }) as never,
    groupMember: (options) => new SimConsumer(cluster, options) as never,
  };
}


const fastTimings = { heartbeatIntervalMs: 20, sessionTimeoutMs: 1_000, rebalanceTimeoutMs: 3_000, fetchMaxWaitMs: 50, retryBackoffMs: 10, retryDelayMs: 10 };

function simulatedLog(cluster: SimCluster, partitions: number, topic = 'ticks') {
  return new KafkaEventLog<Item>({ brokers: 'sim:9092', topic, partitions, replication: 3, codec: itemCodec, clients: simulatedClients(cluster), ...fastTimings });
}

eventLogContract('kafka adapter on a simulated cluster', async ({ partitions, retention }) => {
  const cluster = new SimCluster(retention);
  const log = simulatedLog(cluster, partitions);
  await log.start();
  return { log, cleanup: () => log.close() };
});

describe('KafkaEventLog on a simulated cluster', () => {
  it('creates a missing topic with the partitions, replication and min.insync.replicas asked for', async () => {
    const cluster = new SimCluster();
    const log = simulatedLog(cluster, 6);
    await log.start();
    expect(cluster.created).toEqual([{ topics: ['ticks'], partitions: 6, replicas: 3, configs: [{ name: 'min.insync.replicas', value: '2' }] }]);
    expect(log.partitions).toBe(6);
    await log.ping();
    await log.close();
  });

  it('uses an existing topic as it is, and puts each key on partitionFor(key, its partition count)', async () => {
    const cluster = new SimCluster();
    cluster.topics.set('ticks', new SimTopic(5));
    const log = simulatedLog(cluster, 8);
    await log.start();
    expect(cluster.created).toEqual([]);
    expect(log.partitions).toBe(5);
    const keys = ['AAPL', 'MSFT', 'GOOG', 'TSLA', 'BRK.B', 'NVDA'];
    await log.append(keys.map((key, n) => ({ key, value: { key, n } })));
    const topic = cluster.topics.get('ticks')!;
    for (const key of keys) {
      const where = topic.partitions.findIndex((p) => p.records.some((r) => r.key.toString() === key));
      expect(where, key).toBe(partitionFor(key, 5));
    }
    await log.close();
  });

  it('skips records the codec cannot read, acknowledges them and counts them', async () => {
    const cluster = new SimCluster();
    const log = simulatedLog(cluster, 1);
    await log.start();
    const seen: number[] = [];
    const consumer = await log.consume({ group: 'g', from: 'earliest' }, async (records) => {
      seen.push(...records.map((r) => r.value.n));
    });
    await log.append([{ key: 'A', value: { key: 'A', n: 1 } }]);
    cluster.append('ticks', 0, { key: Buffer.from('A'), value: Buffer.from('not json') });
    await log.append([{ key: 'A', value: { key: 'A', n: 2 } }]);
    await waitFor(() => seen.length >= 2, 'both readable records');
    await consumer.stop();
    expect(seen).toEqual([1, 2]);
    expect(log.decodeFailures).toBe(1);
    expect(cluster.group('g').committed.get('ticks:0')).toBe(3n);
    await log.close();
  });

  it('records the start of a new `latest` group at once, so a later owner of a partition does not skip records', async () => {
    const cluster = new SimCluster();
    const log = simulatedLog(cluster, 2);
    await log.start();
    await log.append([{ key: 'A', value: { key: 'A', n: 1 } }]);
    const first = await log.consume({ group: 'g' }, async () => {});
    await waitFor(() => cluster.group('g').committed.size === 2, 'the starting offsets committed');
    await first.abort();
    await log.append([{ key: 'A', value: { key: 'A', n: 2 } }]);
    const seen: number[] = [];
    const second = await log.consume({ group: 'g' }, async (records) => {
      seen.push(...records.map((r) => r.value.n));
    });
    await waitFor(() => seen.length > 0, 'the record appended while the group had no member');
    expect(seen).toEqual([2]);
    await second.stop();
    await log.close();
  });

  it('a rebalance waits until the batch in flight is handled and committed: no record reaches two members', async () => {
    const cluster = new SimCluster();
    const log = simulatedLog(cluster, 4);
    await log.start();
    const keys = Array.from({ length: 16 }, (_, i) => `K${i}`);
    let n = 0;
    const appendRound = () => log.append(keys.map((key) => ({ key, value: { key, n: ++n } })));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const handled = { one: [] as number[], two: [] as number[] };
    let firstCalls = 0;
    const one = await log.consume({ group: 'g', from: 'earliest' }, async (records) => {
      if (++firstCalls === 1) await gate;
      handled.one.push(...records.map((r) => r.value.n));
    });
    await appendRound();
    await waitFor(() => firstCalls === 1, 'a batch in flight');
    const two = await log.consume({ group: 'g', from: 'earliest' }, async (records) => {
      handled.two.push(...records.map((r) => r.value.n));
    });
    // Many heartbeats later the coordinator still waits for the first member, and the second one
    // has received nothing: the records in flight are with one member only.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(cluster.group('g').preparing).toBe(true);
    expect(handled.two).toEqual([]);
    release();
    await waitFor(async () => {
      await appendRound();
      return handled.one.length > 0 && handled.two.length > 0 && handled.one.length + handled.two.length >= n;
    }, 'both members handling records after the rebalance');
    await waitFor(() => handled.one.length + handled.two.length >= n, 'every record');
    expect([...handled.one, ...handled.two].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    await one.stop();
    await two.stop();
    await log.close();
  });

  it('close() makes members that are still consuming leave without acknowledging', async () => {
    const cluster = new SimCluster();
    const log = simulatedLog(cluster, 1);
    await log.start();
    await log.append([{ key: 'A', value: { key: 'A', n: 1 } }]);
    let calls = 0;
    await log.consume({ group: 'g', from: 'earliest' }, () => {
      calls++;
      return new Promise(() => {});
    });
    await waitFor(() => calls === 1, 'a batch in flight');
    await log.close();
    expect(cluster.group('g').members).toEqual([]);
    expect(cluster.group('g').committed.get('ticks:0')).toBe(0n);
    await expect(log.append([{ key: 'A', value: { key: 'A', n: 2 } }])).rejects.toThrow(/closed/);
  });
});
