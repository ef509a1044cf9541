import type { Adapter } from './lifecycle.js';

/**
 * EventLog — a durable, partitioned, keyed log read by consumer groups.
 *
 * Guarantees every adapter keeps (the contract suite in test/contracts/event-log checks them):
 * - **Keyed partitioning.** Records with the same key go to the same partition. Within a
 *   partition, records are delivered to the group in append order, also when a partition moves to
 *   another member (after a crash or a rebalance, the new owner first gets what the old one left
 *   unacknowledged). The hand-over is not exclusive everywhere, so consumers stay idempotent and
 *   monotonic, as the processor is through the store's compare-and-set on `seq`: on Redis Streams a
 *   partition is a stream leased to one member at a time, and a member stalled past its lease may
 *   overlap with its successor; on Kafka a rebalance does not wait for the batch in flight, so the
 *   old owner may still be handling records the new owner is given too (its late acknowledgement
 *   is harmless: it covers records it handled).
 * - **Groups are independent.** Every group sees every record; within a group each record goes to
 *   one member at a time.
 * - **At-least-once.** A batch is acknowledged only after the handler's promise resolves. If the
 *   handler throws, the batch is delivered again after a backoff (on Redis Streams, which packs
 *   records into entries and acknowledges whole entries, preceded by the records of its first
 *   entry that an earlier batch already handled). If a member stops without finishing (a crash,
 *   `abort()`), its unacknowledged records are delivered to another member of the group, or to
 *   the next one that joins (on Redis Streams and Kafka, which both pack records and acknowledge
 *   whole packs, a pack split across batches comes whole, records already handled included).
 * - **Start position.** A group that has never acknowledged anything starts at the oldest retained
 *   record when `from` is `earliest`, or at the end of the log when it is `latest` (the default).
 * - **Bounded retention.** The log keeps at least the configured number of recent records per
 *   partition (on Redis Streams, as long as one producer appends to a partition at a time); older
 *   ones may be dropped, and a group that fell behind further skips them.
 * - **Appends are durable when `append` resolves** (as durable as the engine: in memory, until the
 *   process exits).
 */
export interface EventLog<T> extends Adapter {
  append(records: readonly LogRecordInput<T>[]): Promise<void>;
  /**
   * The value last appended under each of `keys` that the log still retains (keys with none are
   * absent). A producer that numbers its records per key (the generator's `seq`) continues from
   * here after a restart: what was appended, not what consumers have processed so far. Optional:
   * an adapter that cannot read its tail leaves it out, and the producer says so in its log.
   */
  lastByKey?(keys: readonly string[]): Promise<Map<string, T>>;
  consume(options: ConsumeOptions, handler: BatchHandler<T>): Promise<Consumer>;
  /**
   * How far `group` is behind, per partition: what was appended that the group has not
   * acknowledged yet (records; on Redis Streams and Kafka, entries or Kafka records, about one per
   * append and partition, since both pack records). Read from
   * the engine, so every process sees the whole group, its other members included. A group that
   * never consumed is absent. Optional: operators' metric (tickstream_eventlog_consumer_lag).
   */
  consumerLag?(group: string): Promise<ReadonlyMap<number, number>>;
}

export interface LogRecordInput<T> {
  readonly key: string;
  readonly value: T;
}

export interface LogRecord<T> {
  readonly key: string;
  readonly value: T;
  readonly partition: number;
  /** Position in the partition: increasing, opaque to consumers beyond ordering. */
  readonly offset: string;
}

export type BatchHandler<T> = (records: readonly LogRecord<T>[]) => Promise<void>;

export interface ConsumeOptions {
  readonly group: string;
  /** Distinguishes members of a group; unique per process by default. */
  readonly member?: string;
  /** Upper bound of records per handler call. */
  readonly maxBatch?: number;
  readonly from?: 'earliest' | 'latest';
}

export interface Consumer {
  /** Graceful: stops fetching, waits for the batch in flight, acknowledges it, leaves the group. */
  stop(): Promise<void>;
  /** Like a crash: leaves at once without acknowledging the batch in flight. */
  abort(): Promise<void>;
}
