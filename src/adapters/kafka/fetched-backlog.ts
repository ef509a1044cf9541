import type { Message } from '@platformatic/kafka';
import type { LogRecord } from '../../ports/event-log.js';
import type { Codec } from '../codec.js';
import { unpackRecord } from './packed-records.js';

export type KafkaMessage = Message<Buffer, Buffer, Buffer, Buffer>;

/**
 * Where a member stands in a partition: the next Kafka record it has not handled whole, and how
 * many of that record's log records (a pack's) it has handled already.
 */
export interface Position {
  readonly offset: bigint;
  readonly index: number;
}

/** One handler call's worth of fetched records. */
export interface FetchedBatch<T> {
  /** At most maxBatch log records, in offset order within each partition. */
  readonly records: LogRecord<T>[];
  /** Per partition: where the member stands once the handler resolved. */
  readonly handled: Map<number, Position>;
  /**
   * Per partition: the offset to commit once the handler resolved, the next Kafka record not
   * handled whole. A pack handled in part is not committed, so a next owner gets it whole again,
   * its handled records included (at-least-once, as Redis Streams does with its entries).
   */
  readonly commits: Map<number, bigint>;
  /** Log records the codec could not read: skipped, committed with the batch and counted. */
  undecodable: number;
}

/** A fetched Kafka record, unpacked, with how far its log records went into batches. */
interface Fetched<T> {
  readonly partition: number;
  readonly offset: bigint;
  readonly keys: readonly string[];
  readonly values: readonly (T | undefined)[];
  /** Offset text of its log records: the Kafka offset, with `/<index>` in a pack. */
  readonly offsetText: string;
  readonly packed: boolean;
  next: number;
}

/**
 * The records a member fetched and has not handled yet, cut into handler batches of at most
 * maxBatch log records. Packs are kept whole in a batch when they fit, so commits fall on whole
 * Kafka records; one larger than the room left starts a batch of its own, and only one larger
 * than maxBatch is split, its tail going into the next batch.
 */
export class FetchedBacklog<T> {
  private queue: Fetched<T>[] = [];
  private head = 0;
  private remaining = 0;

  constructor(private readonly codec: Codec<T>) {}

  /** Log records fetched and not yet taken (for pausing the stream). */
  get pending(): number {
    return this.remaining;
  }

  get isEmpty(): boolean {
    return this.head === this.queue.length;
  }

  add(message: KafkaMessage): void {
    const { keys, values } = unpackRecord(message.key, message.value, message.headers, this.codec);
    const offsetText = String(message.offset);
    this.queue.push({ partition: message.partition, offset: message.offset, keys, values, offsetText, packed: keys.length > 1, next: 0 });
    this.remaining += keys.length;
  }

  /**
   * The next batch: records of partitions in `owned` only (others were fetched before a rebalance
   * took them away), after what `handled` says this member handled already.
   */
  take(maxBatch: number, owned: ReadonlySet<number>, handled: ReadonlyMap<number, Position>): FetchedBatch<T> {
    const batch: FetchedBatch<T> = { records: [], handled: new Map(), commits: new Map(), undecodable: 0 };
    let taken = 0;
    while (this.head < this.queue.length) {
      const f = this.queue[this.head]!;
      const count = f.keys.length;
      const before = handled.get(f.partition);
      let start = f.next;
      if (before !== undefined && f.offset <= before.offset) start = f.offset < before.offset ? count : Math.max(start, before.index);
      if (!owned.has(f.partition) || start >= count) {
        this.drop(f);
        continue;
      }
      const left = count - start;
      if (taken > 0 && taken + left > maxBatch) break;
      const end = start + Math.min(left, maxBatch - taken);
      for (let i = start; i < end; i++) {
        const value = f.values[i];
        if (value === undefined) batch.undecodable++;
        else batch.records.push({ key: f.keys[i]!, value, partition: f.partition, offset: f.packed ? `${f.offsetText}/${i}` : f.offsetText });
      }
      taken += end - start;
      this.remaining -= end - f.next;
      f.next = end;
      if (end < count) {
        batch.handled.set(f.partition, { offset: f.offset, index: end });
        batch.commits.set(f.partition, f.offset);
        break;
      }
      batch.handled.set(f.partition, { offset: f.offset + 1n, index: 0 });
      batch.commits.set(f.partition, f.offset + 1n);
      this.head++;
    }
    this.compact();
    return batch;
  }

  private drop(f: Fetched<T>): void {
    this.remaining -= f.keys.length - f.next;
    this.head++;
  }

  private compact(): void {
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1_024) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
