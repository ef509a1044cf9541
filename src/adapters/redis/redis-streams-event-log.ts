import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { ErrorReply } from 'redis';
import type { BatchHandler, ConsumeOptions, Consumer, EventLog, LogRecordInput } from '../../ports/event-log.js';
import type { Codec } from '../codec.js';
import { partitionFor } from '../partitioning.js';
import { pingWithin, type RedisClient } from './connection.js';
import { connectionsFor, type Lease, type RedisConnections, type RedisReach } from './redis-connections.js';
import { entryRecords, MAX_RECORDS_PER_ENTRY, packedXAdd } from './packed-entries.js';
import { RetentionWindow } from './retention-window.js';
import { StreamMember } from './stream-member.js';
import { trackedConsumer } from '../tracked-consumer.js';

export interface RedisStreamsEventLogOptions<T> extends RedisReach {
  readonly prefix: string;
  /** Log name under `prefix` (TICKS_TOPIC); partition p is the stream `${prefix}${stream}:${p}`. */
  readonly stream: string;
  /**
   * Streams the log is split into by key (the same partitionFor as every adapter). Each is read
   * by one member of a group at a time, so members beyond this number stand by. 1 by default:
   * one active reader per group, the others taking over when it fails.
   */
  readonly partitions?: number;
  /**
   * Records kept per partition at least, provided one producer appends to a partition at a time
   * (see retention-window.ts). Trimming is by whole entries, and XADD MAXLEN ~ trims whole radix
   * nodes, so somewhat more stay.
   */
  readonly retention: number;
  readonly codec: Codec<T>;
  /** Longest wait of one blocking read; 1 s by default. */
  readonly blockMs?: number;
  /**
   * How long a member may stay silent (crashed, aborted, cut off) before the others take over its
   * partitions and the entries it left unacknowledged; 5 s by default.
   */
  readonly claimIdleMs?: number;
  /** First pause after a handler failure; doubles up to 5 s. 100 ms by default. */
  readonly retryBackoffMs?: number;
}

/** Entries per XREVRANGE when reading a partition's tail. */
const LAST_BY_KEY_PAGE = 32;

/**
 * EventLog on Redis Streams: one stream per partition, read by consumer groups with XREADGROUP /
 * XACK, partitions owned by one member at a time.
 *
 * Why partitions and ownership rather than one stream read by every member: Redis hands the
 * entries of one stream to a group's members in parallel, so two members would hold consecutive
 * ticks of one symbol at once, and a crashed member's entries would come back (XAUTOCLAIM) after
 * later ones were handled. With the price store's compare-and-set on `seq`, every such reordering
 * turns the earlier ticks into "stale" ones that are dropped — lost from history, candles and
 * volume. Here a partition is read only by the member holding its lease (lua/stream-leases.ts),
 * and a member taking a partition over first handles what the previous owner left pending, so
 * per-key order holds across members, as on Kafka and the memory log. (Only a member stalled past
 * its lease while still running could overlap with its successor; the store's `seq` check keeps
 * that case from moving anything backwards.)
 *
 * Records are packed: each append writes one entry per partition (more past
 * MAX_RECORDS_PER_ENTRY records), because Redis's cost is per entry and per field far more than
 * per byte (packed-entries.ts has the layout and the figures). Retention stays a number of
 * records: each XADD trims to as many entries as it takes to keep at least that many
 * (retention-window.ts, which also says when that holds). Entries of the one-record layout of
 * earlier versions are read as well.
 *
 * Delivery is at-least-once, with the entry as the unit: an entry is acknowledged once the handler
 * resolved for its last records (one larger than maxBatch spans several handler calls); a failed
 * batch is read again from the member's pending list after a backoff, each of its entries whole,
 * so records of an entry handled before the failure come again too; a member that crashed or
 * aborted loses its leases after `claimIdleMs`, and its pending entries go to the next owner.
 * Records the codec cannot read are skipped and counted (`malformed`), never retried; the other
 * records of their entry are delivered. `offset` is `<entry id>/<index of the record in the entry>`.
 */
export class RedisStreamsEventLog<T> implements EventLog<T> {
  private readonly connections: RedisConnections;
  private readonly client: RedisClient;
  private lease: Lease | undefined;
  private readonly streams: string[];
  private readonly members = new Set<StreamMember<T>>();
  /** The MAXLEN of each partition's next XADD. */
  private readonly retention: RetentionWindow[];
  private malformedCount = 0;

  constructor(private readonly options: RedisStreamsEventLogOptions<T>) {
    if (!Number.isInteger(options.retention) || options.retention < 1) throw new Error('retention must be a positive integer');
    const partitions = options.partitions ?? 1;
    if (!Number.isInteger(partitions) || partitions < 1) throw new Error('partitions must be a positive integer');
    this.streams = Array.from({ length: partitions }, (_, p) => `${options.prefix}${options.stream}:${p}`);
    this.retention = this.streams.map(() => new RetentionWindow(options.retention));
    this.connections = connectionsFor(options);
    this.client = this.connections.commandClient;
  }

  /** Records skipped because the codec could not read them (an entry of no known layout counts as one). */
  get malformed(): number {
    return this.malformedCount;
  }

  /** The stream key of each partition. */
  get streamKeys(): readonly string[] {
    return this.streams;
  }

  async start(): Promise<void> {
    this.lease = await this.connections.leaseCommands();
  }

  async close(): Promise<void> {
    // Consumers should have been stopped by their services; any left behave as if crashed.
    await Promise.all([...this.members].map((m) => m.abort()));
    this.members.clear();
    await this.lease?.release();
  }

  async ping(): Promise<void> {
    await pingWithin(this.client);
  }

  async append(records: readonly LogRecordInput<T>[]): Promise<void> {
    if (records.length === 0) return;
    // MULTI rather than a bare pipeline (still one round trip): a member blocked on a stream
    // wakes up to the whole batch, and a concurrent producer's entries do not land in between.
    const tx = this.client.multi();
    const byPartition = this.byPartition(records);
    for (let p = 0; p < byPartition.length; p++) {
      const part = byPartition[p]!;
      for (let from = 0; from < part.length; from += MAX_RECORDS_PER_ENTRY) {
        const to = Math.min(part.length, from + MAX_RECORDS_PER_ENTRY);
        tx.addCommand(packedXAdd(this.streams[p]!, this.retention[p]!.add(to - from), part, from, to, this.options.codec));
      }
    }
    try {
      await tx.exec();
    } catch (err) {
      for (const window of this.retention) window.forget();
      throw err;
    }
  }

  /**
   * Reads each partition that holds one of `keys` backwards (XREVRANGE, a page of entries at a
   * time) until every key of it was seen or the stream's start is reached.
   */
  async lastByKey(keys: readonly string[]): Promise<Map<string, T>> {
    const found = new Map<string, T>();
    const missingByPartition = new Map<number, Set<string>>();
    for (const key of keys) {
      const p = partitionFor(key, this.streams.length);
      missingByPartition.set(p, (missingByPartition.get(p) ?? new Set()).add(key));
    }
    for (const [p, missing] of missingByPartition) {
      let end = '+';
      while (missing.size > 0) {
        const page = (await this.client.sendCommand(['XREVRANGE', this.streams[p]!, end, '-', 'COUNT', String(LAST_BY_KEY_PAGE)])) as [string, unknown[]][];
        for (const [, fields] of page) {
          const entry = Array.isArray(fields) ? entryRecords(fields) : undefined;
          for (let i = (entry?.count ?? 0) - 1; i >= 0 && missing.size > 0; i--) {
            const key = entry!.fields[entry!.first + 2 * i];
            const raw = entry!.fields[entry!.first + 2 * i + 1];
            if (typeof key !== 'string' || !missing.has(key) || typeof raw !== 'string') continue;
            const value = this.options.codec.decode(raw);
            if (value === undefined) continue;
            found.set(key, value);
            missing.delete(key);
          }
        }
        if (page.length < LAST_BY_KEY_PAGE) break;
        end = `(${page[page.length - 1]![0]}`;
      }
    }
    return found;
  }

  /** The records of each partition, in append order. */
  private byPartition(records: readonly LogRecordInput<T>[]): (readonly LogRecordInput<T>[])[] {
    const partitions = this.streams.length;
    if (partitions === 1) return [records];
    const parts = Array.from({ length: partitions }, (): LogRecordInput<T>[] => []);
    for (const record of records) parts[partitionFor(record.key, partitions)]!.push(record);
    return parts;
  }

  async consume(options: ConsumeOptions, handler: BatchHandler<T>): Promise<Consumer> {
    const maxBatch = options.maxBatch ?? 500;
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new Error('maxBatch must be a positive integer');
    const from = options.from ?? 'latest';
    await this.ensureGroup(options.group, from);
    const name = options.member ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    // Blocking reads hold their connection for the whole wait: each consumer has one of its own.
    const conn = this.connections.dedicated(`consumer-${options.group}`);
    await conn.connect();
    const base = `${this.options.prefix}${this.options.stream}:group:${options.group}`;
    const member = new StreamMember<T>({
      control: this.client,
      conn,
      streams: this.streams,
      membersKey: `${base}:members`,
      leaseKeys: this.streams.map((_, p) => `${base}:owner:${p}`),
      group: options.group,
      name,
      maxBatch,
      blockMs: this.options.blockMs ?? 1_000,
      leaseMs: this.options.claimIdleMs ?? 5_000,
      retryBackoffMs: this.options.retryBackoffMs ?? 100,
      codec: this.options.codec,
      handler,
      logger: this.options.logger,
      onMalformed: (count) => (this.malformedCount += count),
      recreateGroups: () => this.ensureGroup(options.group, from),
    });
    return trackedConsumer(this.members, member);
  }

  /**
   * XINFO GROUPS of each partition's stream: entries never delivered to the group (`lag`) plus
   * those delivered and not acknowledged (`pending`). Counted in entries, the unit Redis keeps;
   * a partition whose `lag` Redis cannot tell (null, after some trims or deletions) is left out.
   */
  async consumerLag(group: string): Promise<ReadonlyMap<number, number>> {
    const lag = new Map<number, number>();
    await Promise.all(
      this.streams.map(async (stream, p) => {
        let groups: unknown[];
        try {
          groups = (await this.client.sendCommand(['XINFO', 'GROUPS', stream])) as unknown[];
        } catch (err) {
          if (err instanceof ErrorReply && err.message.includes('no such key')) return;
          throw err;
        }
        for (const raw of groups) {
          const info = fieldsOf(raw);
          if (info.name !== group) continue;
          if (typeof info.lag === 'number' && typeof info.pending === 'number') lag.set(p, info.lag + info.pending);
        }
      }),
    );
    return lag;
  }

  /** The start position applies only where the group is created; an existing group resumes. */
  private async ensureGroup(group: string, from: 'earliest' | 'latest'): Promise<void> {
    await Promise.all(
      this.streams.map(async (stream) => {
        try {
          await this.client.xGroupCreate(stream, group, from === 'earliest' ? '0' : '$', { MKSTREAM: true });
        } catch (err) {
          if (!(err instanceof ErrorReply && err.message.startsWith('BUSYGROUP'))) throw err;
        }
      }),
    );
  }
}

/** One XINFO reply item as an object, whether the connection speaks RESP3 (a map) or RESP2 (a flat list). */
function fieldsOf(raw: unknown): Record<string, unknown> {
  if (!Array.isArray(raw)) return (raw ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) out[String(raw[i])] = raw[i + 1];
  return out;
}
