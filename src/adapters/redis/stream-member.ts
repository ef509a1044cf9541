import { ErrorReply } from 'redis';
import type { BatchHandler } from '../../ports/event-log.js';
import type { Codec } from '../codec.js';
import { closeClient, type RedisClient, type RedisLogger } from './connection.js';
import { EntryBacklog, type BacklogEntry } from './entry-backlog.js';
import { parseAutoClaim, parseReadGroup, type StreamEntry } from './stream-replies.js';
import { backoffDelay, doubling } from '../../domain/backoff.js';
import { groupBy } from '../group-by.js';

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
  /** Records skipped because the codec could not read them (an entry of no known layout counts as one). */
  readonly onMalformed: (count: number) => void;
  /** Creates the group again on streams that lost it (deleted or expired meanwhile). */
  readonly recreateGroups: () => Promise<void>;
}

const MAX_BACKOFF_MS = 5_000;

type State = 'running' | 'stopping' | 'stopped' | 'aborted';

/**
 * One member of a consumer group over partitioned streams. It reads only the partitions whose
 * lease it holds, so each partition has one reader at a time and per-key order survives members
 * coming and going. When it has nothing left to deliver it reads, in this order: on a partition it
 * just took over, the entries its previous owner left unacknowledged (XAUTOCLAIM, min-idle 0: the
 * lease says that owner is gone); its own pending entries after a failed handler or a lost
 * connection; then new entries (XREADGROUP >, blocking up to `blockMs`). Entries pack up to
 * MAX_RECORDS_PER_ENTRY records, so a read asks for about maxBatch records' worth of entries, and
 * the backlog cuts what came into handler batches of at most maxBatch records (entry-backlog.ts).
 * An entry is acknowledged (one XACK per partition per batch) after the handler resolved for its
 * last records; if a handler fails, the whole entry comes back, records already handled included.
 * Leases are renewed by a timer, also while a slow handler runs.
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
  private readonly backlog: EntryBacklog<T>;
  private readonly done: Promise<void>;

  constructor(private readonly s: MemberSettings<T>) {
    this.partitionOf = new Map(s.streams.map((key, p) => [key, p]));
    this.backlog = new EntryBacklog(s.codec);
    // The connection id changes on reconnect; stop() needs the current one to CLIENT UNBLOCK it.
    s.conn.on('ready', () => void this.refreshClientId());
    void this.refreshClientId();
    this.beating = setInterval(() => void this.beat(false).catch(() => {}), Math.max(20, s.leaseMs / 3));
    this.done = this.run();
  }

  /**
   * Graceful: no new reads; the batch in flight and the rest of what was read are delivered and
   * acknowledged (so no entry is left half-delivered, to come back whole elsewhere), then the
   * member leaves.
   */
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

  /** Stopping with entries read and not all delivered. */
  private get finishing(): boolean {
    return this.state === 'stopping' && !this.backlog.isEmpty;
  }

  private async run(): Promise<void> {
    // Failed deliveries or reads in a row: how long the next pause is (src/domain/backoff.ts).
    const retry = doubling(this.s.retryBackoffMs, MAX_BACKOFF_MS);
    let failures = 0;
    while (this.reading || this.finishing) {
      try {
        if (this.backlog.isEmpty) {
          // Partitions go back to their assignee only with nothing read left to deliver, or both
          // this member and the new owner would deliver what is left.
          if (!this.joined || this.hasSurplus) await this.beat(true);
          this.backlog.add(await this.next());
        } else if ((await this.deliver()) === 'failed') {
          this.dropBacklog();
          await this.pause(backoffDelay(failures++, retry));
        } else {
          failures = 0;
        }
      } catch (err) {
        if (!this.reading) break;
        // Connection trouble: anything read but not acknowledged is in this member's pending list.
        this.dropBacklog();
        this.s.logger?.warn({ err, group: this.s.group, member: this.s.name }, 'stream consumer read failed; retrying');
        if (err instanceof ErrorReply && err.message.startsWith('NOGROUP')) await this.s.recreateGroups().catch(() => {});
        await this.pause(backoffDelay(failures++, retry));
      }
    }
  }

  /** Registers this member, renews and takes leases; with `release`, hands back the surplus. */
  private async beat(release: boolean): Promise<void> {
    if (this.state === 'aborted' || this.state === 'stopped') return;
    const reply = await this.s.control.partitionLeases([this.s.membersKey, ...this.s.leaseKeys], [this.s.name, String(this.s.leaseMs), release ? '1' : '0']);
    const owned = reply[0].map(Number);
    const before = new Set(this.owned);
    let gained = false;
    for (const p of owned) {
      if (before.has(p)) continue;
      this.takeover.set(p, '0-0');
      gained = true;
    }
    for (const p of this.takeover.keys()) if (!owned.includes(p)) this.takeover.delete(p);
    // Entries of a partition lost meanwhile (this member stalled past its lease) go to its new owner.
    for (const p of this.owned) if (!owned.includes(p)) this.backlog.forget(p);
    this.owned = owned;
    this.hasSurplus = reply[1].length > 0;
    this.joined = true;
    if (gained) this.wake?.();
  }

  private async next(): Promise<StreamEntry[]> {
    // A partition just taken over: what its previous owner left unacknowledged comes first.
    for (const [p, cursor] of this.takeover) {
      const { group, name } = this.s;
      const reply = parseAutoClaim(await this.s.conn.sendCommand(['XAUTOCLAIM', this.s.streams[p]!, group, name, '0', cursor, 'COUNT', String(this.entriesPerRead)]), p);
      if (reply.cursor === '0-0') {
        this.takeover.delete(p);
        void this.sweep(this.s.streams[p]!);
      } else {
        this.takeover.set(p, reply.cursor);
      }
      if (reply.entries.length > 0) return reply.entries;
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

  /**
   * Entries to ask for so that a read brings about maxBatch records: COUNT is in entries, and how
   * many records the producer packs into one is only known from what was read lately.
   */
  private get entriesPerRead(): number {
    const { maxBatch } = this.s;
    return Math.max(1, Math.min(maxBatch, Math.floor(maxBatch / this.backlog.recordsPerEntry)));
  }

  /**
   * COUNT is per stream, so the entries of one read are spread over `partitions` (≤ maxBatch); at
   * least one each, so that a blocking read still watches every partition it is given.
   */
  private async read(partitions: readonly number[], id: '0' | '>'): Promise<StreamEntry[]> {
    const { group, name, blockMs, streams } = this.s;
    const args = ['XREADGROUP', 'GROUP', group, name, 'COUNT', String(Math.max(1, Math.floor(this.entriesPerRead / partitions.length)))];
    if (id === '>') args.push('BLOCK', String(blockMs));
    args.push('STREAMS', ...partitions.map((p) => streams[p]!), ...partitions.map(() => id));
    this.blocking = id === '>';
    try {
      return parseReadGroup(await this.s.conn.sendCommand(args), this.partitionOf);
    } finally {
      this.blocking = false;
    }
  }

  /** One handler call with the next records of the backlog. */
  private async deliver(): Promise<'done' | 'failed' | 'aborted'> {
    const { records, completed, skipped } = this.backlog.take(this.s.maxBatch);
    await this.acknowledge(skipped);
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
    await this.acknowledge(completed);
    return 'done';
  }

  /**
   * After a failed handler or a lost connection: what was read and not acknowledged stays pending,
   * and is read again, each entry whole, before anything newer of its partitions.
   */
  private dropBacklog(): void {
    this.backlog.clear();
    this.checkOwnPending = true;
    // Takeover scans restarted from the beginning find the dropped entries before later ones.
    for (const p of this.takeover.keys()) this.takeover.set(p, '0-0');
  }

  /**
   * One XACK per partition. Malformed records are counted once their entry is acknowledged, so an
   * entry that comes back after a failed handler is not counted twice.
   */
  private async acknowledge(entries: readonly BacklogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const ids = groupBy(entries, (entry) => this.s.streams[entry.partition]!, (entry) => entry.id);
    const malformed = entries.reduce((n, entry) => n + entry.malformed, 0);
    await Promise.all(Array.from(ids, ([stream, list]) => this.s.conn.sendCommand(['XACK', stream, this.s.group, ...list])));
    if (malformed > 0) {
      this.s.onMalformed(malformed);
      this.s.logger?.warn({ group: this.s.group, count: malformed }, 'skipped stream records the codec could not read');
    }
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
        await this.s.control.leaveGroup([stream], [this.s.group, String(info.name)]);
      }
    } catch (err) {
      this.s.logger?.warn({ err, group: this.s.group }, 'could not sweep idle stream consumers');
    }
  }

  private async leave(): Promise<void> {
    try {
      await this.s.control.releaseLeases([this.s.membersKey, ...this.s.leaseKeys], [this.s.name]);
      await Promise.all(this.s.streams.map((stream) => this.s.control.leaveGroup([stream], [this.s.group, this.s.name])));
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
