import { ErrorReply } from 'redis';
import type { BatchHandler, LogRecord } from '../../ports/event-log.js';
import type { Codec } from '../codec.js';
import { closeClient, type RedisClient, type RedisLogger } from './connection.js';
import { runScript } from './lua/lua-script.js';
import { PARTITION_LEASES, RELEASE_LEASES } from './lua/stream-leases.js';
import { LEAVE_GROUP } from './lua/stream-scripts.js';
import { parseAutoClaim, parseReadGroup, type RawEntry } from './stream-replies.js';

export interface MemberSettings<T> {
  /** The log's shared connection: never blocks, so it carries heartbeats and can interrupt reads. */
  readonly control: RedisClient;
  /** This member's own connection: XREADGROUP BLOCK holds a connection for the whole wait. */
  readonly conn: RedisClient;
  /** Stream key of each partition. */
  readonly streams: readonly string[];
  /** The group's member registry and the lease key of each partition (see lua/stream-leases.ts). */
  readonly membersKey: string;
  readonly leaseKeys: readonly string[];
  readonly group: string;
  readonly name: string;
  readonly maxBatch: number;
  readonly blockMs: number;
  /** A member silent this long loses its partitions (and their pending entries) to the others. */
  readonly leaseMs: number;
  readonly retryBackoffMs: number;
  readonly codec: Codec<T>;
  readonly handler: BatchHandler<T>;
  readonly logger?: RedisLogger;
  readonly onMalformed: (count: number) => void;
  /** Creates the group again on streams that lost it (deleted or expired meanwhile). */
  readonly recreateGroups: () => Promise<void>;
}

interface Entry extends RawEntry {
  readonly partition: number;
}

const MAX_BACKOFF_MS = 5_000;

type State = 'running' | 'stopping' | 'stopped' | 'aborted';

/**
 * One member of a consumer group over partitioned streams. It reads only the partitions whose
 * lease it holds, so each partition has one reader at a time and per-key order survives members
 * coming and going. Each turn it takes, in this order: on a partition it just took over, the
 * entries its previous owner left unacknowledged (XAUTOCLAIM, min-idle 0: the lease says that
 * owner is gone); its own pending entries after a failed handler or a lost connection; then new
 * entries (XREADGROUP >, blocking up to `blockMs`). A batch is acknowledged with one XACK after
 * the handler resolved. Leases are renewed by a timer, also while a slow handler runs.
 */
export class StreamMember<T> {
  private state: State = 'running';
  private owned: number[] = [];
  /** Partitions taken over whose previous owner's pending entries are not all handled: XAUTOCLAIM cursor. */
  private readonly takeover = new Map<number, string>();
  private joined = false;
  private hasSurplus = false;
  private checkOwnPending = true;
  private rotation = 0;
  private blocking = false;
  private clientId: number | undefined;
  private wake: (() => void) | undefined;
  private readonly beating: NodeJS.Timeout;
  private readonly partitionOf: Map<string, number>;
  private readonly done: Promise<void>;

  constructor(private readonly s: MemberSettings<T>) {
    this.partitionOf = new Map(s.streams.map((key, p) => [key, p]));
    // The connection id changes on reconnect; stop() needs the current one to CLIENT UNBLOCK it.
    s.conn.on('ready', () => void this.refreshClientId());
    void this.refreshClientId();
    this.beating = setInterval(() => void this.beat(false).catch(() => {}), Math.max(20, s.leaseMs / 3));
    this.done = this.run();
  }

  /** Graceful: no new reads, the batch in flight finishes and is acknowledged, then the member leaves. */
  async stop(): Promise<void> {
    if (this.state === 'aborted' || this.state === 'stopped') return;
    if (this.state === 'running') this.state = 'stopping';
    this.wake?.();
    // Repeated, because the read may not have reached Redis yet when the first UNBLOCK does.
    void this.unblock();
    const unblocking = setInterval(() => void this.unblock(), 100);
    try {
      await this.done;
    } finally {
      clearInterval(unblocking);
    }
    if (this.state !== 'stopping') return;
    this.state = 'stopped';
    clearInterval(this.beating);
    await this.leave();
    await closeClient(this.s.conn);
  }

  /** Like a crash: no more heartbeats, the connection goes at once, nothing in flight is acknowledged. */
  async abort(): Promise<void> {
    if (this.state === 'aborted' || this.state === 'stopped') return;
    this.state = 'aborted';
    clearInterval(this.beating);
    this.wake?.();
    if (this.s.conn.isOpen) this.s.conn.destroy();
  }

  private get reading(): boolean {
    return this.state === 'running';
  }

  private async run(): Promise<void> {
    let backoff = this.s.retryBackoffMs;
    while (this.reading) {
      try {
        // Between batches is the one safe moment to hand partitions back to their assignee.
        if (!this.joined || this.hasSurplus) await this.beat(true);
        const batch = await this.next();
        if (batch.length === 0) continue;
        if ((await this.process(batch)) === 'failed') {
          this.retryLater(batch);
          await this.pause(backoff);
          backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        } else {
          backoff = this.s.retryBackoffMs;
        }
      } catch (err) {
        if (!this.reading) break;
        // Connection trouble: anything read but not acknowledged is in this member's pending list.
        this.checkOwnPending = true;
        this.s.logger?.warn({ err, group: this.s.group, member: this.s.name }, 'stream consumer read failed; retrying');
        if (err instanceof ErrorReply && err.message.startsWith('NOGROUP')) await this.s.recreateGroups().catch(() => {});
        await this.pause(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  /** Registers this member, renews and takes leases; with `release`, hands back the surplus. */
  private async beat(release: boolean): Promise<void> {
    if (this.state === 'aborted' || this.state === 'stopped') return;
    const reply = (await runScript(this.s.control, PARTITION_LEASES, [this.s.membersKey, ...this.s.leaseKeys], [this.s.name, String(this.s.leaseMs), release ? '1' : '0'])) as [unknown[], unknown[]];
    const owned = reply[0].map(Number);
    const before = new Set(this.owned);
    let gained = false;
    for (const p of owned) {
      if (before.has(p)) continue;
      this.takeover.set(p, '0-0');
      gained = true;
    }
    for (const p of this.takeover.keys()) if (!owned.includes(p)) this.takeover.delete(p);
    this.owned = owned;
    this.hasSurplus = reply[1].length > 0;
    this.joined = true;
    if (gained) this.wake?.();
  }

  private async next(): Promise<Entry[]> {
    // A partition just taken over: what its previous owner left unacknowledged comes first.
    for (const [p, cursor] of this.takeover) {
      const { group, name, maxBatch } = this.s;
      const reply = parseAutoClaim(await this.s.conn.sendCommand(['XAUTOCLAIM', this.s.streams[p]!, group, name, '0', cursor, 'COUNT', String(maxBatch)]));
      if (reply.cursor === '0-0') {
        this.takeover.delete(p);
        void this.sweep(this.s.streams[p]!);
      } else {
        this.takeover.set(p, reply.cursor);
      }
      if (reply.entries.length > 0) return reply.entries.map((e) => ({ ...e, partition: p }));
    }
    const readable = this.owned.filter((p) => !this.takeover.has(p));
    if (readable.length === 0) {
      // Nothing to read until a heartbeat brings a partition (it wakes this pause).
      if (this.takeover.size === 0) await this.pause(this.s.blockMs);
      return [];
    }
    const { maxBatch } = this.s;
    if (this.checkOwnPending) {
      // Every owned partition is looked at before concluding nothing is pending.
      for (let i = 0; i < readable.length; i += maxBatch) {
        const own = await this.read(readable.slice(i, i + maxBatch), '0');
        if (own.length > 0) return own;
      }
      this.checkOwnPending = false;
    }
    if (!this.reading) return [];
    // Rotating which partitions come first, so none waits behind the others when there are
    // more partitions than maxBatch.
    const start = this.rotation++ % readable.length;
    return this.read([...readable.slice(start), ...readable.slice(0, start)].slice(0, maxBatch), '>');
  }

  /** Reads at most maxBatch entries in all: COUNT is per stream, so it is spread over `partitions` (≤ maxBatch). */
  private async read(partitions: readonly number[], id: '0' | '>'): Promise<Entry[]> {
    const { group, name, maxBatch, blockMs, streams } = this.s;
    const picked = partitions;
    const args = ['XREADGROUP', 'GROUP', group, name, 'COUNT', String(Math.floor(maxBatch / picked.length))];
    if (id === '>') args.push('BLOCK', String(blockMs));
    args.push('STREAMS', ...picked.map((p) => streams[p]!), ...picked.map(() => id));
    this.blocking = id === '>';
    try {
      const reply = parseReadGroup(await this.s.conn.sendCommand(args));
      return reply.flatMap(({ stream, entries }) => entries.map((e) => ({ ...e, partition: this.partitionOf.get(stream) ?? 0 })));
    } finally {
      this.blocking = false;
    }
  }

  private async process(batch: readonly Entry[]): Promise<'done' | 'failed' | 'aborted'> {
    const records: LogRecord<T>[] = [];
    const skipped = new Set<Entry>();
    let malformed = 0;
    for (const entry of batch) {
      // Trimmed by retention while pending: nothing left to deliver.
      if (entry.fields === null) {
        skipped.add(entry);
        continue;
      }
      const { key, value: raw } = entry.fields;
      const value = key !== undefined && raw !== undefined ? this.s.codec.decode(raw) : undefined;
      if (key === undefined || value === undefined) {
        // Written by a bad producer: retrying cannot help, so it is acknowledged and counted.
        skipped.add(entry);
        malformed++;
        continue;
      }
      records.push({ key, value, partition: entry.partition, offset: entry.id });
    }
    if (malformed > 0) {
      this.s.onMalformed(malformed);
      this.s.logger?.warn({ group: this.s.group, count: malformed }, 'skipped stream entries the codec could not read');
    }
    if (skipped.size > 0) await this.ack([...skipped]);
    if (records.length === 0) return 'done';

    try {
      await this.s.handler(records);
    } catch (err) {
      if (this.state === 'aborted') return 'aborted';
      this.s.logger?.warn({ err, group: this.s.group, records: records.length }, 'stream batch handler failed; will retry');
      return 'failed';
    }
    // Aborted while the handler ran: acknowledging now would hide records another member must get.
    if (this.state === 'aborted') return 'aborted';
    await this.ack(batch.filter((e) => !skipped.has(e)));
    return 'done';
  }

  /** The failed batch stays pending; it is read again before anything newer of its partitions. */
  private retryLater(batch: readonly Entry[]): void {
    this.checkOwnPending = true;
    // A takeover scan restarted from the beginning finds the failed entries before later ones.
    for (const { partition } of batch) if (this.takeover.has(partition)) this.takeover.set(partition, '0-0');
  }

  private async ack(entries: readonly Entry[]): Promise<void> {
    const byPartition = new Map<number, string[]>();
    for (const e of entries) byPartition.set(e.partition, [...(byPartition.get(e.partition) ?? []), e.id]);
    await Promise.all([...byPartition].map(([p, ids]) => this.s.conn.sendCommand(['XACK', this.s.streams[p]!, this.s.group, ...ids])));
  }

  /**
   * Members of crashed processes stay in a stream's group (names are unique per process); the ones
   * that hold nothing and have been idle for long are removed. LEAVE_GROUP checks they hold
   * nothing, so a live member removed by mistake loses nothing and is recreated by its next read.
   */
  private async sweep(stream: string): Promise<void> {
    const deadAfterMs = Math.max(10 * this.s.leaseMs, 10 * this.s.blockMs, 60_000);
    try {
      const consumers = (await this.s.control.sendCommand(['XINFO', 'CONSUMERS', stream, this.s.group])) as unknown[];
      for (const c of consumers) {
        const info = c as { name?: unknown; pending?: unknown; idle?: unknown };
        if (info.name === this.s.name || info.pending !== 0 || typeof info.idle !== 'number' || info.idle < deadAfterMs) continue;
        await runScript(this.s.control, LEAVE_GROUP, [stream], [this.s.group, String(info.name)]);
      }
    } catch (err) {
      this.s.logger?.warn({ err, group: this.s.group }, 'could not sweep idle stream consumers');
    }
  }

  private async leave(): Promise<void> {
    try {
      await runScript(this.s.control, RELEASE_LEASES, [this.s.membersKey, ...this.s.leaseKeys], [this.s.name]);
      await Promise.all(this.s.streams.map((stream) => runScript(this.s.control, LEAVE_GROUP, [stream], [this.s.group, this.s.name])));
    } catch (err) {
      this.s.logger?.warn({ err, group: this.s.group, member: this.s.name }, 'could not leave the consumer group');
    }
  }

  private async unblock(): Promise<void> {
    if (!this.blocking || this.clientId === undefined) return;
    try {
      // Default mode: the blocked XREADGROUP returns as if it timed out, with nothing delivered.
      await this.s.control.sendCommand(['CLIENT', 'UNBLOCK', String(this.clientId)]);
    } catch {
      // The read ends by itself within blockMs anyway.
    }
  }

  private async refreshClientId(): Promise<void> {
    try {
      this.clientId = await this.s.conn.clientId();
    } catch {
      this.clientId = undefined;
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const end = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(end, ms);
      this.wake = end;
    });
  }
}
