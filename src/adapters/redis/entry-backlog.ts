import type { LogRecord } from '../../ports/event-log.js';
import type { Codec } from '../codec.js';
import { entryRecords, MAX_RECORDS_PER_ENTRY } from './packed-entries.js';
import type { StreamEntry } from './stream-replies.js';

/** An entry read and not yet acknowledged, with how far its records have been delivered. */
export class BacklogEntry {
  readonly id: string;
  readonly partition: number;
  readonly fields: readonly unknown[];
  readonly first: number;
  readonly count: number;
  /** Index of the next record to deliver. */
  next = 0;
  /** Records of this entry the codec could not read (or 1 for an entry of no known layout). */
  malformed = 0;

  constructor(entry: StreamEntry) {
    this.id = entry.id;
    this.partition = entry.partition;
    // Trimmed by retention while pending (fields null): nothing left to deliver.
    const records = entry.fields === null ? undefined : entryRecords(entry.fields);
    if (entry.fields !== null && records === undefined) this.malformed = 1;
    this.fields = records?.fields ?? [];
    this.first = records?.first ?? 0;
    this.count = records?.count ?? 0;
  }
}

/** One handler call's worth of the backlog. */
export interface HandlerBatch<T> {
  /** At most maxBatch records, in stream order within each partition. */
  readonly records: LogRecord<T>[];
  /** Entries whose last records are in `records`: acknowledged once the handler resolved. */
  readonly completed: BacklogEntry[];
  /**
   * Entries that ended without a record in `records` (trimmed while pending, of no known layout,
   * or with only malformed records left): nothing waits on the handler for them.
   */
  readonly skipped: BacklogEntry[];
}

/**
 * The entries a member read and has not finished delivering, cut into handler batches of at most
 * maxBatch records. A packed entry holding more records than a batch has room for is delivered
 * across several batches; it is complete, and may be acknowledged, only with the batch that holds
 * its last records. Offsets are `<entry id>/<index in the entry>`.
 */
export class EntryBacklog<T> {
  private entries: BacklogEntry[] = [];
  private head = 0;
  /** Records per entry in recent reads; starts as if entries were full, so a first read cannot bring far more than a batch. */
  private average = MAX_RECORDS_PER_ENTRY;

  constructor(private readonly codec: Codec<T>) {}

  get isEmpty(): boolean {
    return this.head === this.entries.length;
  }

  /** Average records per entry read lately, for sizing reads (a producer's entry size is not known in advance). */
  get recordsPerEntry(): number {
    return this.average;
  }

  add(entries: readonly StreamEntry[]): void {
    if (entries.length === 0) return;
    let records = 0;
    for (const entry of entries) {
      const pending = new BacklogEntry(entry);
      this.entries.push(pending);
      records += pending.count;
    }
    this.average = (this.average + records / entries.length) / 2;
  }

  /** Takes the next records, at most `maxBatch`, and the entries that end with them. */
  take(maxBatch: number): HandlerBatch<T> {
    const batch: HandlerBatch<T> = { records: [], completed: [], skipped: [] };
    while (this.head < this.entries.length && batch.records.length < maxBatch) {
      const entry = this.entries[this.head]!;
      const before = batch.records.length;
      this.deliver(entry, batch.records, maxBatch);
      if (entry.next < entry.count) break; // the batch is full in the middle of this entry
      this.head++;
      (batch.records.length > before ? batch.completed : batch.skipped).push(entry);
    }
    if (this.isEmpty) this.clear();
    return batch;
  }

  /** Drops the entries of a partition this member no longer owns: its next owner gets them whole. */
  forget(partition: number): void {
    this.entries = this.entries.slice(this.head).filter((e) => e.partition !== partition);
    this.head = 0;
  }

  /** Drops everything: the entries are still pending in Redis and will be read again. */
  clear(): void {
    this.entries = [];
    this.head = 0;
  }

  private deliver(entry: BacklogEntry, records: LogRecord<T>[], maxBatch: number): void {
    const { fields, first, count, id, partition } = entry;
    while (entry.next < count && records.length < maxBatch) {
      const at = first + 2 * entry.next;
      const key = fields[at];
      const raw = fields[at + 1];
      const value = typeof raw === 'string' ? this.codec.decode(raw) : undefined;
      // Written by a bad producer: retrying cannot help, so the record is skipped and counted.
      if (typeof key === 'string' && value !== undefined) records.push({ key, value, partition, offset: `${id}/${entry.next}` });
      else entry.malformed++;
      entry.next++;
    }
  }
}
