/**
 * Offset bookkeeping of one group member, without I/O: what a fetch adds, what a batch takes, what
 * to commit after it, where to seek back when it fails.
 *
 * Kafka's committed offset is the *next* record to read: after handling records up to offset N of
 * a partition, the member commits N + 1.
 */

/** The parts of a fetched record batch this module reads (a subset of the client's RecordsBatch). */
export interface FetchedBatch {
  readonly firstOffset: bigint;
  readonly lastOffsetDelta: number;
  readonly attributes: number;
  readonly records: readonly { readonly offsetDelta: number; readonly key: Buffer | null; readonly value: Buffer | null }[];
}

/** Bit 5 of a batch's attributes: a transaction marker, not data. */
export const CONTROL_BATCH = 1 << 5;

export interface RawRecord {
  readonly partition: number;
  readonly offset: bigint;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

/**
 * The records of a fetch response for one partition at or after `from` (a compressed batch may
 * start before the requested offset), control batches left out, and the next offset to fetch:
 * one past the last offset of the last complete batch, control batches included, so a fetch
 * never stalls on a marker. Without complete batches the position stays at `from`.
 */
export function extractRecords(partition: number, batches: readonly FetchedBatch[], from: bigint): { records: RawRecord[]; next: bigint } {
  const records: RawRecord[] = [];
  let next = from;
  for (const batch of batches) {
    const last = batch.firstOffset + BigInt(batch.lastOffsetDelta);
    if (last + 1n > next) next = last + 1n;
    if ((batch.attributes & CONTROL_BATCH) !== 0) continue;
    for (const record of batch.records) {
      const offset = batch.firstOffset + BigInt(record.offsetDelta);
      if (offset < from) continue;
      records.push({ partition, offset, key: record.key, value: record.value });
    }
  }
  return { records, next };
}

/** Offsets to commit after a batch was handled: the highest offset per partition, plus one. */
export function commitOffsets(records: readonly { readonly partition: number; readonly offset: bigint }[]): Map<number, bigint> {
  const out = new Map<number, bigint>();
  for (const r of records) {
    const next = r.offset + 1n;
    const current = out.get(r.partition);
    if (current === undefined || next > current) out.set(r.partition, next);
  }
  return out;
}

/** Where to fetch again after a failed batch: its lowest offset per partition. */
export function seekBackOffsets(records: readonly { readonly partition: number; readonly offset: bigint }[]): Map<number, bigint> {
  const out = new Map<number, bigint>();
  for (const r of records) {
    const current = out.get(r.partition);
    if (current === undefined || r.offset < current) out.set(r.partition, r.offset);
  }
  return out;
}

/**
 * A position the broker said is out of range, moved into the retained range: below the oldest
 * retained record (retention dropped it) → the oldest; past the end (the log was truncated, e.g.
 * after an unclean leader election) → the end.
 */
export function clampOffset(requested: bigint, earliest: bigint, latest: bigint): bigint {
  if (requested < earliest) return earliest;
  if (requested > latest) return latest;
  return requested;
}

/**
 * Fetched records waiting for the handler, per partition, in offset order. `take` builds a batch
 * of at most `max` records from the front of the partitions' queues, starting at a rotating
 * partition so a busy partition cannot starve the others. Per-partition order is kept because a
 * member has one batch in flight at a time.
 */
export class PartitionBuffers<R extends { readonly partition: number; readonly offset: bigint }> {
  private readonly queues = new Map<number, R[]>();
  private rotate = 0;

  get size(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  /** Partitions that still hold records: a member does not fetch them again until they drain. */
  has(partition: number): boolean {
    return (this.queues.get(partition)?.length ?? 0) > 0;
  }

  push(partition: number, records: readonly R[]): void {
    if (records.length === 0) return;
    const q = this.queues.get(partition);
    if (q) q.push(...records);
    else this.queues.set(partition, [...records]);
  }

  take(max: number): R[] {
    const partitions = [...this.queues.keys()].filter((p) => this.queues.get(p)!.length > 0).sort((a, b) => a - b);
    const batch: R[] = [];
    if (partitions.length === 0 || max < 1) return batch;
    const start = this.rotate++ % partitions.length;
    for (let k = 0; k < partitions.length && batch.length < max; k++) {
      const p = partitions[(start + k) % partitions.length]!;
      const q = this.queues.get(p)!;
      const taken = q.splice(0, max - batch.length);
      batch.push(...taken);
      if (q.length === 0) this.queues.delete(p);
    }
    return batch;
  }

  /** Drops what is buffered for one partition (a seek) or all of them (a rebalance). */
  clear(partition?: number): void {
    if (partition === undefined) this.queues.clear();
    else this.queues.delete(partition);
  }
}
