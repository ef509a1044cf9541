import { randomUUID } from 'node:crypto';
import { backoffDelay, doubling } from '../../domain/backoff.js';
import type { BatchHandler, ConsumeOptions, Consumer, EventLog, LogRecord, LogRecordInput } from '../../ports/event-log.js';
import { partitionFor } from '../partitioning.js';

export interface MemoryEventLogOptions {
  readonly partitions: number;
  /** Records kept per partition; older ones are dropped in chunks. */
  readonly retention: number;
  /** First retry delay after a handler failure; doubles up to 5 s. */
  readonly retryBackoffMs?: number;
}

interface Partition<T> {
  /** Offset of records[0]. */
  base: number;
  records: LogRecord<T>[];
}

interface Group {
  /** Next offset to acknowledge from, per partition. */
  readonly committed: number[];
  /** Next offset to deliver, per partition (ahead of committed while a batch is in flight). */
  readonly position: number[];
  /** Which member has a batch in flight on a partition: no one else may read it meanwhile. */
  readonly busy: (Member | undefined)[];
  readonly members: Member[];
}

interface Member {
  readonly id: string;
  owned: number[];
  running: boolean;
  wake?: () => void;
}

/**
 * A stored record. The offset is kept as a number and shown as text only when read: appending
 * a million records a second, one string per record is a good part of what the collector does.
 */
class StoredRecord<T> implements LogRecord<T> {
  constructor(
    readonly key: string,
    readonly value: T,
    readonly partition: number,
    private readonly position: number,
  ) {}

  get offset(): string {
    return String(this.position);
  }
}

/** The in-process event log: same promises as Kafka's, kept for the life of the process. */
export class MemoryEventLog<T> implements EventLog<T> {
  private readonly parts: Partition<T>[];
  private readonly groups = new Map<string, Group>();
  private closed = false;

  constructor(private readonly options: MemoryEventLogOptions) {
    if (!Number.isInteger(options.partitions) || options.partitions < 1) throw new Error('partitions must be a positive integer');
    this.parts = Array.from({ length: options.partitions }, () => ({ base: 0, records: [] }));
  }

  async start(): Promise<void> {}

  async ping(): Promise<void> {
    if (this.closed) throw new Error('event log is closed');
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const group of this.groups.values()) for (const m of group.members) this.leave(group, m);
  }

  async lastByKey(keys: readonly string[]): Promise<Map<string, T>> {
    const wanted = new Set(keys);
    const found = new Map<string, T>();
    for (const part of this.parts) {
      for (let i = part.records.length - 1; i >= 0 && found.size < wanted.size; i--) {
        const record = part.records[i]!;
        if (wanted.has(record.key) && !found.has(record.key)) found.set(record.key, record.value);
      }
    }
    return found;
  }

  async append(records: readonly LogRecordInput<T>[]): Promise<void> {
    if (this.closed) throw new Error('event log is closed');
    for (const r of records) {
      const partition = partitionFor(r.key, this.parts.length);
      const p = this.parts[partition]!;
      p.records.push(new StoredRecord(r.key, r.value, partition, p.base + p.records.length));
    }
    for (const p of this.parts) this.trim(p);
    this.wakeAll();
  }

  async consume(options: ConsumeOptions, handler: BatchHandler<T>): Promise<Consumer> {
    if (this.closed) throw new Error('event log is closed');
    const group = this.groupFor(options.group, options.from ?? 'latest');
    const member: Member = { id: options.member ?? randomUUID(), owned: [], running: true };
    group.members.push(member);
    this.rebalance(group);
    const done = this.run(group, member, handler, options.maxBatch ?? 500);
    return {
      stop: async () => {
        member.running = false;
        member.wake?.();
        await done;
        this.leave(group, member);
      },
      abort: async () => {
        member.running = false;
        member.wake?.();
        this.leave(group, member);
      },
    };
  }

  async consumerLag(group: string): Promise<ReadonlyMap<number, number>> {
    const found = this.groups.get(group);
    const lag = new Map<number, number>();
    if (!found) return lag;
    // Records trimmed away before the group read them are skipped, not owed.
    this.parts.forEach((p, i) => lag.set(i, Math.max(0, p.base + p.records.length - Math.max(found.committed[i]!, p.base))));
    return lag;
  }

  private groupFor(name: string, from: 'earliest' | 'latest'): Group {
    let group = this.groups.get(name);
    if (!group) {
      const start = this.parts.map((p) => (from === 'earliest' ? p.base : p.base + p.records.length));
      group = { committed: [...start], position: [...start], busy: this.parts.map(() => undefined), members: [] };
      this.groups.set(name, group);
    }
    return group;
  }

  private rebalance(group: Group): void {
    for (const m of group.members) m.owned = [];
    if (group.members.length === 0) return;
    for (let p = 0; p < this.parts.length; p++) group.members[p % group.members.length]!.owned.push(p);
    for (const m of group.members) m.wake?.();
  }

  /** Leaving without acknowledging: what this member had in flight goes back to the group. */
  private leave(group: Group, member: Member): void {
    const i = group.members.indexOf(member);
    if (i < 0) return;
    group.members.splice(i, 1);
    member.running = false;
    for (let p = 0; p < group.busy.length; p++) {
      if (group.busy[p] === member) {
        group.busy[p] = undefined;
        group.position[p] = group.committed[p]!;
      }
    }
    this.rebalance(group);
  }

  private async run(group: Group, member: Member, handler: BatchHandler<T>, maxBatch: number): Promise<void> {
    // Failed batches in a row: how long the next pause is (src/domain/backoff.ts).
    const retry = doubling(this.options.retryBackoffMs ?? 100, 5_000);
    let failures = 0;
    let rotate = 0;
    while (member.running) {
      const batch: LogRecord<T>[] = [];
      const taken: number[] = [];
      const owned = member.owned;
      for (let k = 0; k < owned.length && batch.length < maxBatch; k++) {
        const p = owned[(k + rotate) % owned.length]!;
        if (group.busy[p] !== undefined) continue;
        const part = this.parts[p]!;
        if (group.position[p]! < part.base) group.position[p] = group.committed[p] = part.base;
        const from = group.position[p]! - part.base;
        const to = Math.min(part.records.length, from + (maxBatch - batch.length));
        if (to <= from) continue;
        for (let i = from; i < to; i++) batch.push(part.records[i]!);
        group.position[p] = part.base + to;
        group.busy[p] = member;
        taken.push(p);
      }
      rotate++;
      if (batch.length === 0) {
        await new Promise<void>((resolve) => (member.wake = resolve));
        member.wake = undefined;
        continue;
      }
      try {
        await handler(batch);
      } catch {
        // At-least-once: hand the batch back and try again after a pause.
        for (const p of taken) {
          if (group.busy[p] !== member) continue;
          group.busy[p] = undefined;
          group.position[p] = group.committed[p]!;
        }
        await new Promise((resolve) => setTimeout(resolve, backoffDelay(failures++, retry)));
        continue;
      }
      failures = 0;
      for (const p of taken) {
        // Aborted meanwhile: the records were handed back, acknowledging now would lose them.
        if (group.busy[p] !== member) continue;
        group.committed[p] = group.position[p]!;
        group.busy[p] = undefined;
      }
      if (taken.some((p) => !member.owned.includes(p))) this.wakeGroup(group);
    }
  }

  private trim(p: Partition<T>): void {
    const excess = p.records.length - this.options.retention;
    // Trimming in chunks keeps append amortised O(1).
    if (excess > Math.max(1024, this.options.retention / 4)) {
      p.records.splice(0, excess);
      p.base += excess;
    }
  }

  private wakeGroup(group: Group): void {
    for (const m of group.members) m.wake?.();
  }

  private wakeAll(): void {
    for (const group of this.groups.values()) this.wakeGroup(group);
  }
}
