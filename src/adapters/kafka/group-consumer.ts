import { Consumer, type MessagesStream } from '@platformatic/kafka';
import type { BatchHandler } from '../../ports/event-log.js';
import type { Codec } from '../codec.js';
import { sleep, withTimeout } from './async-util.js';
import { consumerClientOptions, type KafkaSettings } from './config.js';
import { describeKafkaError } from './errors.js';
import { FetchedBacklog, type FetchedBatch, type KafkaMessage, type Position } from './fetched-backlog.js';
import { MAX_RECORDS_PER_PACK } from './packed-records.js';

/** The structured-logger subset the Kafka adapter uses (pino's `warn(obj, msg)` fits). */
export interface KafkaLogger {
  warn(obj: object, msg: string): void;
  debug?(obj: object, msg: string): void;
}

export interface GroupConsumerOptions<T> {
  readonly settings: KafkaSettings;
  readonly codec: Codec<T>;
  readonly group: string;
  readonly member: string;
  readonly maxBatch: number;
  readonly from: 'earliest' | 'latest';
  readonly handler: BatchHandler<T>;
  readonly logger?: KafkaLogger;
  readonly onDecodeFailures: (count: number) => void;
}

type State = 'running' | 'stopping' | 'aborted';

const MAX_BACKOFF_MS = 5_000;

/**
 * One member of a consumer group, on @platformatic/kafka's public Consumer API: the client keeps
 * the membership (join, sync, heartbeats on their own timer, rejoin after a rebalance) and fetches
 * into a MessagesStream; this class unpacks what it fetched into batches of at most `maxBatch` log
 * records (fetched-backlog.ts), runs the handler, and commits each partition's next Kafka record
 * not handled whole after the handler resolved (autocommit off).
 *
 * - A handler that throws gets the same batch again after a backoff (doubling up to 5 s).
 * - The client rejoins on a rebalance without waiting for the batch in flight, so for a moment the
 *   old and the new owner of a partition may both hold its records (the EventLog port's
 *   "consumers are idempotent and monotonic"). Buffered records of partitions no longer assigned
 *   are dropped, and records this member already handled are never handed to it again, so each
 *   member sees every partition in offset order.
 * - Partitions a group has never committed start where the stream put them (`from`), and that
 *   start is committed at once, so a member that gets the partition later starts from there too.
 * - When the stream fails (the broker went away, the membership was lost), the client is closed
 *   and a new one joins after a backoff: the member recovers by itself once Kafka is back.
 * - `stop()` waits for the batch in flight, commits it and leaves the group; `abort()` leaves at
 *   once without committing, so the coordinator hands the records to another member.
 */
export class GroupConsumer<T> {
  private state: State = 'running';
  private consumer: Consumer | undefined;
  private stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  /** Per partition, what this member has handled (it never gets that again), down to a pack's records. */
  private readonly handled = new Map<number, Position>();
  private wake: (() => void) | undefined;
  private loop: Promise<void> = Promise.resolve();
  private ending: Promise<void> | undefined;

  constructor(private readonly options: GroupConsumerOptions<T>) {}

  /** Joins the group and resolves once the member knows where its partitions start. */
  async start(): Promise<void> {
    await this.open();
    this.loop = this.run();
  }

  stop(): Promise<void> {
    return this.end('stopping');
  }

  abort(): Promise<void> {
    return this.end('aborted');
  }

  private end(state: State): Promise<void> {
    if (this.ending) return this.ending;
    this.state = state;
    this.wake?.();
    this.ending = (async () => {
      // stop(): the loop finishes and commits the batch in flight. abort(): leaves at once; a
      // handler still running finds the member aborted and commits nothing.
      if (state === 'stopping') await this.loop;
      await this.close(state === 'aborted');
    })();
    return this.ending;
  }

  /** Reads batches until the member ends; reopens the client whenever its stream fails. */
  private async run(): Promise<void> {
    let failures = 0;
    while (this.state === 'running') {
      const stream = this.stream;
      if (stream) {
        await this.drain(stream);
        if (this.state !== 'running') return;
        this.options.logger?.warn({ group: this.options.group }, 'kafka: consumer stream ended, rejoining the group');
      }
      await this.close(true);
      await this.backoff(failures++);
      if (this.state !== 'running') return;
      try {
        await this.open();
        failures = 0;
      } catch (error) {
        this.options.logger?.warn({ group: this.options.group, error: describeKafkaError(error) }, 'kafka: cannot join the group yet, retrying');
      }
    }
  }

  /** A new client joins the group and opens its stream. */
  private async open(): Promise<void> {
    const { settings, group, member, from, maxBatch } = this.options;
    const consumer = new Consumer(consumerClientOptions(settings, group, member));
    // Failures surface as a failed stream (handled in run()); the event must have a listener.
    consumer.on('error', (error: unknown) => {
      this.options.logger?.warn({ group, error: describeKafkaError(error) }, 'kafka: consumer error');
      this.stream?.destroy();
    });
    this.consumer = consumer;
    const stream = await consumer.consume({
      topics: [settings.topic],
      mode: 'committed',
      fallbackMode: from,
      autocommit: false,
      // Kafka records the stream buffers while drain() has it paused (a few batches are pending
      // then): counted in records of up to MAX_RECORDS_PER_PACK log records each, so a processor
      // far behind holds a few batches' worth, not thousands of packs.
      highWaterMark: Math.max(16, Math.ceil((maxBatch * 4) / MAX_RECORDS_PER_PACK)),
    });
    this.stream = stream;
    stream.on('error', (error: unknown) => {
      if (this.state === 'running') this.options.logger?.warn({ group, error: describeKafkaError(error) }, 'kafka: consumer stream failed');
    });
    await new Promise<void>((resolve, reject) => {
      const settle = (error?: unknown): void => {
        stream.off('offsets', onOffsets).off('error', settle).off('close', settle);
        if (error === undefined) resolve();
        else reject(error instanceof Error ? error : new Error('the consumer stream closed while starting'));
      };
      const onOffsets = (): void => void this.commitStarts(consumer, stream).then(() => settle(), settle);
      stream.once('offsets', onOffsets).once('error', settle).once('close', settle);
    });
    // Every later assignment (after a rebalance) may bring partitions the group never committed.
    stream.on('offsets', () => void this.commitStarts(consumer, stream));
  }

  private async close(force: boolean): Promise<void> {
    const { consumer, stream } = this;
    this.consumer = undefined;
    this.stream = undefined;
    if (!consumer) return;
    const { closeTimeoutMs } = this.options.settings;
    try {
      if (stream && !stream.destroyed) {
        const closed = new Promise<void>((resolve, reject) => stream.close((error) => (error ? reject(error) : resolve())));
        await withTimeout(closed, closeTimeoutMs, 'closing the stream took too long');
      }
    } catch {
      stream?.destroy();
    }
    try {
      // close() leaves the group (LeaveGroup), so the coordinator reassigns at once.
      await withTimeout(closeConsumer(consumer, force), closeTimeoutMs, 'leaving the group took too long');
    } catch {
      await closeConsumer(consumer, true).catch(() => {});
    }
  }

  /**
   * Handles batches from one stream until it ends or the member stops. The stream flows into a
   * backlog and is paused while the backlog holds a few batches (the library's backpressure).
   */
  private async drain(stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>): Promise<void> {
    const { maxBatch } = this.options;
    const backlog = new FetchedBacklog<T>(this.options.codec);
    let ended = false;
    const notify = (): void => this.wake?.();
    const onData = (message: KafkaMessage): void => {
      backlog.add(message);
      if (backlog.pending >= maxBatch * 4 && !stream.isPaused()) stream.pause();
      notify();
    };
    const onEnd = (): void => {
      ended = true;
      notify();
    };
    stream.on('data', onData).once('end', onEnd).once('close', onEnd).once('error', onEnd);
    try {
      while (this.state === 'running' && !ended) {
        if (backlog.isEmpty) {
          await new Promise<void>((resolve) => (this.wake = resolve));
          this.wake = undefined;
          continue;
        }
        const owned = new Set(this.consumer?.assignments?.flatMap((a) => a.partitions) ?? []);
        const batch = backlog.take(maxBatch, owned, this.handled);
        if (backlog.pending < maxBatch && stream.isPaused() && !ended) stream.resume();
        await this.handle(batch);
      }
    } finally {
      stream.off('data', onData).off('end', onEnd).off('close', onEnd).off('error', onEnd);
    }
  }

  private async handle(batch: FetchedBatch<T>): Promise<void> {
    const { records } = batch;
    // Only records of partitions no longer owned, or already handled here: nothing to do.
    if (batch.commits.size === 0) return;
    if (batch.undecodable > 0) this.options.onDecodeFailures(batch.undecodable);

    for (let attempt = 0; records.length > 0; attempt++) {
      try {
        await this.options.handler(records);
        break;
      } catch (error) {
        if (this.state !== 'running') return; // stopped or aborted: leave it to the next owner
        this.options.logger?.warn({ group: this.options.group, records: records.length, error: describeKafkaError(error) }, 'kafka: batch handler failed, delivering the batch again');
        await this.backoff(attempt);
        if (this.state !== 'running') return;
      }
    }
    if (this.state === 'aborted') return; // a crash acknowledges nothing
    for (const [partition, position] of batch.handled) this.handled.set(partition, position);
    await this.commit([...batch.commits].map(([partition, offset]) => ({ partition, offset })));
  }

  private async commit(positions: readonly { partition: number; offset: bigint }[]): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) return;
    try {
      await consumer.commit({ offsets: positions.map((p) => ({ topic: this.options.settings.topic, partition: p.partition, offset: p.offset, leaderEpoch: -1 })) });
    } catch (error) {
      // A rebalance or an outage: the next owner gets these records again (a duplicate, never a loss).
      this.options.logger?.warn({ group: this.options.group, error: describeKafkaError(error) }, 'kafka: commit refused, records will be delivered again');
    }
  }

  /** Commits the start of every assigned partition the group has no committed offset for yet. */
  private async commitStarts(consumer: Consumer, stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>): Promise<void> {
    const { topic } = this.options.settings;
    const assignment = consumer.assignments?.find((a) => a.topic === topic);
    if (!assignment || assignment.partitions.length === 0) return;
    try {
      const committed = (await consumer.listCommittedOffsets({ topics: [assignment] })).get(topic) ?? [];
      const starts = assignment.partitions
        .filter((p) => (committed[p] ?? -1n) < 0n)
        .map((partition) => ({ partition, offset: stream.offsetsToFetch.get(`${topic}:${partition}`) }))
        .filter((s): s is { partition: number; offset: bigint } => s.offset !== undefined);
      if (starts.length > 0) await this.commit(starts);
    } catch (error) {
      this.options.logger?.warn({ group: this.options.group, error: describeKafkaError(error) }, 'kafka: cannot read the committed offsets');
    }
  }

  /** Waits before a retry (doubling from retryBackoffMs up to 5 s); ends early when the member ends. */
  private async backoff(attempt: number): Promise<void> {
    const ms = Math.min(MAX_BACKOFF_MS, this.options.settings.retryBackoffMs * 2 ** Math.min(attempt, 16));
    await Promise.race([sleep(ms), new Promise<void>((resolve) => (this.wake = resolve))]);
    this.wake = undefined;
  }
}

function closeConsumer(consumer: Consumer, force: boolean): Promise<void> {
  return new Promise((resolve, reject) => consumer.close(force, (error) => (error ? reject(error) : resolve())));
}
