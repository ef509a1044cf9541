import { randomUUID } from 'node:crypto';
import { Admin, ListOffsetTimestamps, Producer } from '@platformatic/kafka';
import type { BatchHandler, ConsumeOptions, Consumer, EventLog, LogRecordInput } from '../../ports/event-log.js';
import type { Codec } from '../codec.js';
import { sleep, withTimeout } from './async-util.js';
import { baseClientOptions, minInsyncReplicas, producerClientOptions, resolveSettings, type KafkaSettings, type KafkaTuning } from './config.js';
import { describeKafkaError, hasProtocolError } from './errors.js';
import { GroupConsumer, type KafkaLogger } from './group-consumer.js';
import { packRecords, type OutgoingMessage } from './packed-records.js';
import { SendQueue } from './send-queue.js';
import { trackedConsumer } from '../tracked-consumer.js';

export type { KafkaLogger } from './group-consumer.js';

export interface KafkaEventLogOptions<T> extends KafkaTuning {
  /** Bootstrap brokers, `host:port` each (a list, or one comma-separated string). */
  readonly brokers: string | readonly string[];
  readonly topic: string;
  /** Partitions when tickstream creates the topic; an existing topic keeps its own count. */
  readonly partitions: number;
  /** Replication factor when tickstream creates the topic. */
  readonly replication: number;
  readonly codec: Codec<T>;
  /** Prefix of every client id (admin, producer, one per group member); default `tickstream`. */
  readonly clientId?: string;
  /** Put before every group name `consume` is given (deployments sharing a broker keep their groups apart). */
  readonly groupPrefix?: string;
  readonly logger?: KafkaLogger;
}

/** Kafka could not be reached or refused what start() needs; the message says which and why. */
export class KafkaUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KafkaUnavailableError';
  }
}

/**
 * The EventLog on Apache Kafka (one topic; @platformatic/kafka, pure JavaScript, Kafka 3.5–4.1).
 *
 * What the broker guarantees, and what this adapter adds:
 * - A topic is split into partitions; each partition is an append-only log replicated to
 *   `replication` brokers. A record acknowledged with acks=all is on every in-sync replica, and the
 *   topics tickstream creates set `min.insync.replicas` (1→1, 2→1, 3→2, 5→3), so an acknowledged
 *   record survives the loss of any one broker (with replication ≥ 2).
 * - The producer is idempotent: retries of a send cannot duplicate or reorder records within a
 *   partition. Sends go out one request at a time (concurrent appends are coalesced), which this
 *   client needs for idempotence to hold (see SendQueue).
 * - Group membership, partition assignment (round-robin) and committed offsets are kept by the
 *   group coordinator (classic group protocol). A committed offset is the next record to read.
 *
 * How each EventLog promise maps to Kafka:
 * - **Keyed partitioning.** The partition is chosen here, explicitly, with `partitionFor(key, n)`
 *   (src/adapters/partitioning.ts), where `n` is the topic's actual partition count read at start.
 *   In Kafka the client, not the broker, picks the partition; doing it with the project's function
 *   keeps the key→partition map the same in every adapter and independent of this client's default
 *   partitioner (murmur2 without the Java client's sign mask, so it would not match Java producers
 *   either). Other producers writing to the topic must use the same function to keep per-key order.
 *   A one-record record still carries its key, for tools (a pack has none, see below). Adding partitions to a live topic remaps keys
 *   (as in any Kafka client): per-key order then holds only from the restart on.
 * - **Records are packed.** An append writes one Kafka record per partition holding up to 256 log
 *   records (more records, more Kafka records), because this client's cost is per Kafka record far
 *   more than per byte (packed-records.ts has the layout and why it has no key). A partition's lone
 *   record is written as before packing (key = the record's key, its trace context in a
 *   `traceparent` header), and records without the pack header — of earlier versions, of other
 *   producers — are read as one log record each, so a topic written before packing is read as it
 *   was. Versions before packing cannot read packs: they would skip them as undecodable, and
 *   those records would be lost to them. Upgrade the consumers (processor, analytics, alerts)
 *   before the producers (generator, ingestor, API). A packed record's offset is
 *   `<Kafka offset>/<index in the pack>`.
 * - **Per-partition order to the group.** A partition is assigned to one member at a time and a
 *   member has one batch in flight, so a partition's records reach the handler in offset order.
 * - **Groups are independent.** One Kafka consumer group per `group`; offsets are per group.
 * - **At-least-once.** Offsets are committed (manually, autocommit off) only after the handler
 *   resolved: per partition, the Kafka record after the last one the batch held whole. Batches
 *   keep packs whole when they fit; a pack larger than the room left is split, and stays
 *   uncommitted until its last records were handled, so a next owner gets it whole again (the
 *   member itself continues within it). A throwing handler gets the same batch again after a
 *   backoff (retryBackoffMs, doubling up to 5 s). Records the codec cannot read are skipped,
 *   committed with their batch and counted (`decodeFailures`).
 * - **One member at a time, redelivery after a crash.** On a rebalance a member finishes and
 *   commits its batch before it rejoins (GroupClient holds the client's rejoin); fetched records
 *   not yet handled are dropped and the next owner starts at the committed offset. `abort()` sends
 *   LeaveGroup without committing: the coordinator reassigns at once and the uncommitted records go
 *   to another member. A member that dies without leaving is dropped after `sessionTimeoutMs`.
 *   A handler must finish within `rebalanceTimeoutMs`, or the coordinator rebalances without its
 *   member, whose late commit is then refused (the records are delivered again: duplicates, never
 *   loss).
 * - **Start position.** A group without a committed offset for a partition starts at the oldest
 *   retained record (`earliest`) or at the end of the partition as it was when `consume()` resolved
 *   (`latest`, the default); that start is committed right away, so the group never resolves it
 *   twice. A group with committed offsets resumes there, whatever `from` says.
 * - **Bounded retention.** Kafka retains by time and size (`retention.ms`, `retention.bytes`, broker
 *   or topic settings), not by record count: `EVENT_LOG_RETENTION` does not apply. A group whose
 *   committed offset was deleted gets OFFSET_OUT_OF_RANGE and moves to the oldest retained record.
 * - **Appends are durable when `append` resolves**: the promise resolves after every partition
 *   leader answered with acks=all for every record of the call. A failed append may have written
 *   some partitions (a retry by the caller can then duplicate those, which `seq` makes harmless).
 *
 * Timeouts are options (connectTimeoutMs, requestTimeoutMs, retries, …): a broker that is down
 * makes `start()` reject with a KafkaUnavailableError naming the brokers and the cause.
 */
export class KafkaEventLog<T> implements EventLog<T> {
  readonly settings: KafkaSettings;
  private admin: Admin | undefined;
  private producer: Producer | undefined;
  private readonly queue: SendQueue<OutgoingMessage>;
  private readonly members = new Set<GroupConsumer<T>>();
  private partitionCount = 0;
  private started = false;
  private closed = false;
  private decodeFailureCount = 0;

  /** Throws KafkaConfigError for bad options; connects nothing until `start()`. */
  constructor(private readonly options: KafkaEventLogOptions<T>) {
    this.settings = resolveSettings(options);
    this.queue = new SendQueue((messages) => this.send(messages), this.settings.maxRecordsPerSend, (message) => message.records);
  }

  /** Records skipped because the codec could not read them, since this log was created. */
  get decodeFailures(): number {
    return this.decodeFailureCount;
  }

  /** Partitions of the topic, as found at start (0 before). */
  get partitions(): number {
    return this.partitionCount;
  }

  /** Connects, creates the topic if it is missing and waits until every partition has a leader. */
  async start(): Promise<void> {
    if (this.closed) throw new Error('Kafka event log is closed');
    if (this.started) return;
    const { settings } = this;
    const admin = new Admin(baseClientOptions(settings, `${settings.clientId}-admin`));
    admin.on('error', () => {});
    try {
      this.partitionCount = await this.ensureTopic(admin);
    } catch (error) {
      await admin.close().catch(() => {});
      const brokers = settings.brokers.map((b) => `${b.host}:${b.port}`).join(',');
      throw new KafkaUnavailableError(`Kafka event log: cannot prepare topic "${settings.topic}" on ${brokers}: ${describeKafkaError(error)}`, { cause: error });
    }
    this.admin = admin;
    const producer = new Producer(producerClientOptions(settings));
    producer.on('error', () => {});
    this.producer = producer;
    this.started = true;
  }

  /** A metadata request for the topic, with a deadline (`pingTimeoutMs`). */
  async ping(): Promise<void> {
    if (this.closed) throw new Error('Kafka event log is closed');
    if (!this.admin) throw new Error('Kafka event log is not started');
    try {
      const metadata = await withTimeout(
        this.admin.metadata({ topics: [this.settings.topic], forceUpdate: true }),
        this.settings.pingTimeoutMs,
        `no metadata answer within ${this.settings.pingTimeoutMs} ms`,
      );
      if (!metadata.topics.has(this.settings.topic)) throw new Error(`topic "${this.settings.topic}" is missing`);
    } catch (error) {
      throw new KafkaUnavailableError(`Kafka is not answering: ${describeKafkaError(error)}`, { cause: error });
    }
  }

  /** Members still consuming leave without acknowledging (as a crash would); pending appends get `closeTimeoutMs` to finish. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const { closeTimeoutMs } = this.settings;
    await Promise.all([...this.members].map((m) => m.abort()));
    this.members.clear();
    await withTimeout(this.queue.idle(), closeTimeoutMs, 'appends still pending at close').catch((error: unknown) => {
      this.options.logger?.warn({ error: describeKafkaError(error), pending: this.queue.pending }, 'kafka: closing with appends in flight');
    });
    for (const client of [this.producer, this.admin]) {
      if (!client) continue;
      try {
        await withTimeout(client.close(), closeTimeoutMs, 'closing a Kafka client took too long');
      } catch {
        await client.connections.close().catch(() => {});
      }
    }
    this.producer = undefined;
    this.admin = undefined;
  }

  async append(records: readonly LogRecordInput<T>[]): Promise<void> {
    if (this.closed) throw new Error('Kafka event log is closed');
    if (!this.started) throw new Error('Kafka event log is not started');
    if (records.length === 0) return;
    await this.queue.push(packRecords(this.settings.topic, records, this.partitionCount, this.options.codec));
  }

  async consume(options: ConsumeOptions, handler: BatchHandler<T>): Promise<Consumer> {
    if (this.closed) throw new Error('Kafka event log is closed');
    if (!this.started) throw new Error('Kafka event log is not started');
    const maxBatch = options.maxBatch ?? 500;
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new Error(`maxBatch must be a positive integer (got ${maxBatch})`);
    const group = `${this.options.groupPrefix ?? ''}${options.group}`;
    if (!/^\S+$/.test(group)) throw new Error(`group "${group}" must not be empty or contain spaces`);
    const member = new GroupConsumer<T>({
      settings: this.settings,
      codec: this.options.codec,
      group,
      member: options.member ?? randomUUID(),
      maxBatch,
      from: options.from ?? 'latest',
      handler,
      logger: this.options.logger,
      onDecodeFailures: (count) => (this.decodeFailureCount += count),
    });
    await member.start();
    return trackedConsumer(this.members, member);
  }

  /**
   * The group's committed offsets against the partitions' end offsets (both from the brokers, so
   * every member's progress counts), in Kafka records: a pack counts as one. Partitions where the
   * group has committed nothing are left out.
   */
  async consumerLag(group: string): Promise<ReadonlyMap<number, number>> {
    const admin = this.admin;
    if (!admin) throw new Error('Kafka event log is not started');
    const { topic, pingTimeoutMs } = this.settings;
    const partitions = Array.from({ length: this.partitionCount }, (_, partitionIndex) => ({ partitionIndex, timestamp: ListOffsetTimestamps.LATEST }));
    const [committed, ends] = await withTimeout(
      Promise.all([admin.listConsumerGroupOffsets({ groups: [{ groupId: group, topics: [{ name: topic, partitionIndexes: partitions.map((p) => p.partitionIndex) }] }] }), admin.listOffsets({ topics: [{ name: topic, partitions }] })]),
      pingTimeoutMs,
      `no offsets answer within ${pingTimeoutMs} ms`,
    );
    const end = new Map<number, bigint>();
    for (const t of ends) if (t.name === topic) for (const p of t.partitions) end.set(p.partitionIndex, p.offset);
    const lag = new Map<number, number>();
    for (const g of committed) {
      for (const t of g.topics) {
        if (t.name !== topic) continue;
        for (const p of t.partitions) {
          const last = end.get(p.partitionIndex);
          if (p.committedOffset < 0n || last === undefined) continue;
          lag.set(p.partitionIndex, Math.max(0, Number(last - p.committedOffset)));
        }
      }
    }
    return lag;
  }

  private async send(messages: OutgoingMessage[]): Promise<void> {
    const producer = this.producer;
    if (!producer) throw new Error('Kafka event log is closed');
    try {
      await producer.send({ messages });
    } catch (error) {
      throw new KafkaUnavailableError(`Kafka append of ${messages.length} record(s) to "${this.settings.topic}" failed: ${describeKafkaError(error)}`, { cause: error });
    }
  }

  /** The topic's partition count, creating the topic first when it does not exist. */
  private async ensureTopic(admin: Admin): Promise<number> {
    const { topic, partitions, replication, topicReadyTimeoutMs } = this.settings;
    const existing = await admin.listTopics();
    if (!existing.includes(topic)) {
      try {
        await admin.createTopics({
          topics: [topic],
          partitions,
          replicas: replication,
          configs: [{ name: 'min.insync.replicas', value: String(minInsyncReplicas(replication)) }],
        });
      } catch (error) {
        // Another process created it meanwhile: fine.
        if (!hasProtocolError(error, 'TOPIC_ALREADY_EXISTS')) throw error;
      }
    }
    // Right after creation the metadata can still lack leaders; appends would fail until it has them.
    const deadline = Date.now() + topicReadyTimeoutMs;
    for (;;) {
      let problem: unknown;
      try {
        const metadata = await admin.metadata({ topics: [topic], forceUpdate: true });
        const found = metadata.topics.get(topic);
        const count = found?.partitionsCount ?? 0;
        let leaderless = 0;
        for (let p = 0; p < count; p++) if (!((found?.partitions[p]?.leader ?? -1) >= 0)) leaderless++;
        if (found && count > 0 && leaderless === 0) {
          if (count !== partitions) {
            this.options.logger?.warn({ topic, partitions: count, configured: partitions }, 'kafka: the topic exists with another partition count; using it');
          }
          return count;
        }
        problem = new Error(`topic "${topic}" has ${leaderless} partition(s) without a leader`);
      } catch (error) {
        problem = error;
      }
      if (Date.now() >= deadline) throw problem;
      await sleep(100);
    }
  }
}
