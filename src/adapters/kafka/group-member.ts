import { ConnectionPool, ListOffsetTimestamps } from '@platformatic/kafka';
import type { BatchHandler, LogRecord } from '../../ports/event-log.js';
import type { Codec } from '../codec.js';
import { deferred, Signal, withTimeout } from './async-util.js';
import { consumerClientOptions, type KafkaSettings } from './config.js';
import { describeKafkaError, flattenErrors, partitionErrors } from './errors.js';
import { GroupClient } from './group-client.js';
import { clampOffset, commitOffsets, extractRecords, PartitionBuffers, seekBackOffsets, type RawRecord } from './offsets.js';

/** The structured-logger subset the Kafka adapter uses (pino's `warn(obj, msg)` fits). */
export interface KafkaLogger {
  warn(obj: object, msg: string): void;
}

type FetchResponse = Awaited<ReturnType<GroupClient['fetch']>>;

interface Entry<T> {
  readonly partition: number;
  readonly offset: bigint;
  readonly key: string;
  /** Undefined when the codec could not read the record: skipped, acknowledged and counted. */
  readonly value: T | undefined;
}

export interface GroupMemberOptions<T> {
  readonly settings: KafkaSettings;
  readonly codec: Codec<T>;
  readonly group: string;
  readonly member: string;
  readonly maxBatch: number;
  readonly from: 'earliest' | 'latest';
  readonly handler: BatchHandler<T>;
  readonly logger?: KafkaLogger;
  readonly onDecodeFailures: (count: number) => void;
  /** Makes the member's consumer client (tests pass a simulated one). */
  readonly createClient?: (options: ReturnType<typeof consumerClientOptions>) => GroupClient;
}

type State = 'running' | 'stopping' | 'aborted';

const MAX_BACKOFF_MS = 5_000;

/**
 * One member of a consumer group: its own Kafka consumer client (group membership, heartbeats,
 * commits) and its own fetch connections, so a long-polling fetch never delays a heartbeat.
 *
 * The loop: fetch from the leaders of the assigned partitions (one fetch per leader in flight)
 * into per-partition buffers → take a batch of at most `maxBatch` → run the handler → commit
 * "last offset + 1" per partition → next batch. A failed handler seeks its partitions back to the
 * batch's first offsets and the batch is fetched and delivered again after a backoff. A rebalance
 * waits for the batch in flight (see GroupClient), then everything fetched is dropped and the new
 * assignment starts from the committed offsets.
 */
export class GroupMember<T> {
  private state: State = 'running';
  private readonly client: GroupClient;
  private readonly fetchPool: ConnectionPool;
  private readonly signal = new Signal();
  private readonly left = deferred();
  private readonly buffers = new PartitionBuffers<Entry<T>>();
  private readonly positions = new Map<number, bigint>();
  private readonly inflightLeaders = new Set<number>();
  private readonly sleepers = new Set<() => void>();
  /** Generation of the assignment `assigned` and `positions` belong to; -1 before the first. */
  private generation = -1;
  private assigned: number[] = [];
  /** Positions are known for the current assignment. */
  private ready = false;
  /** A rebalance was announced: no new batch until the member has rejoined. */
  private rebalancing = false;
  private pumping = false;
  private joining = false;
  private fetchFailures = 0;
  private fetchRetry: NodeJS.Timeout | undefined;
  /** The batch being handled and committed; never rejects. */
  private inFlight: Promise<unknown> = Promise.resolve();
  /** End offsets when the member was created, the start of a new group with `from: 'latest'`. */
  private latestAtStart: Map<number, bigint> | undefined;
  private loop: Promise<void> = Promise.resolve();
  private stopping: Promise<void> | undefined;
  private leaving: Promise<void> | undefined;

  constructor(private readonly options: GroupMemberOptions<T>) {
    const { settings, group, member } = options;
    const clientOptions = consumerClientOptions(settings, group, member);
    this.client = options.createClient ? options.createClient(clientOptions) : new GroupClient(clientOptions);
    this.fetchPool = new ConnectionPool(this.client.clientId, { connectTimeout: settings.connectTimeoutMs, requestTimeout: settings.requestTimeoutMs });
  }

  private get topic(): string {
    return this.options.settings.topic;
  }

  /**
   * Resolves once the member exists: for `latest`, after the end of every partition was read, so
   * records appended after `consume()` resolved are delivered to a new group. Joining the group
   * goes on in the background: in Kafka it waits until the other members finished their batches.
   */
  async start(): Promise<void> {
    const client = this.client;
    client.topics.track(this.topic);
    client.beforeRejoin = () => this.beforeRejoin();
    client.commitGuard = (generation, partitions) => this.commitGuard(generation, partitions);
    client.on('consumer:group:join', (payload) => this.onJoin(payload.generationId ?? client.generationId, payload.assignments ?? []));
    // The client emits 'error' when a rejoin failed after its retries; without a listener that
    // would be an uncaught exception.
    client.on('error', (error: Error) => this.onGroupError(error));
    try {
      if (this.options.from === 'latest') this.latestAtStart = await this.listOffsets(ListOffsetTimestamps.LATEST);
    } catch (error) {
      this.state = 'aborted';
      await this.leave();
      throw new Error(`Kafka consumer group "${this.options.group}": cannot read the end of topic "${this.topic}": ${describeKafkaError(error)}`, { cause: error });
    }
    this.loop = this.run();
    void this.join();
  }

  /** Graceful: no new batch, the one in flight finishes and is committed, then the member leaves. */
  stop(): Promise<void> {
    if (this.state !== 'running') return this.stopping ?? this.leave();
    this.state = 'stopping';
    this.wakeAll();
    this.stopping = this.loop.then(() => this.leave());
    return this.stopping;
  }

  /** Like a crash, but telling the coordinator: leaves at once; the batch in flight is not committed. */
  abort(): Promise<void> {
    if (this.state === 'aborted') return this.leave();
    this.state = 'aborted';
    this.wakeAll();
    return this.leave();
  }

  // ── Group membership ───────────────────────────────────────────────────────────────────────

  private async join(): Promise<void> {
    if (this.joining) return;
    this.joining = true;
    let delay = this.options.settings.retryDelayMs;
    try {
      while (this.state === 'running') {
        try {
          await this.client.joinGroup({});
          return;
        } catch (error) {
          if (this.state !== 'running') return;
          this.options.logger?.warn({ group: this.options.group, error: describeKafkaError(error), retryInMs: delay }, 'kafka: joining the consumer group failed; retrying');
          await this.sleep(delay);
          delay = Math.min(delay * 2, MAX_BACKOFF_MS);
        }
      }
    } finally {
      this.joining = false;
    }
  }

  private onGroupError(error: Error): void {
    if (this.state !== 'running') return;
    this.options.logger?.warn({ group: this.options.group, error: describeKafkaError(error) }, 'kafka: consumer group error; rejoining');
    this.rebalancing = true;
    this.ready = false;
    void this.join();
  }

  /**
   * Held between the heartbeat that announced a rebalance and the client's rejoin: the batch in
   * flight is finished and committed first. `false` drops the heartbeat answer: a member that is
   * leaving never rejoins.
   */
  private async beforeRejoin(): Promise<boolean> {
    if (this.state === 'aborted') return false;
    if (this.state === 'running') {
      this.rebalancing = true;
      this.signal.notify();
    }
    // A stopping member also finishes its batch here (the heartbeats go on meanwhile), then leaves.
    await Promise.race([this.inFlight, this.left.promise]);
    if (this.state !== 'running') return false;
    // What was fetched for the old assignment is void: the new one starts at the committed offsets.
    this.ready = false;
    this.buffers.clear();
    this.positions.clear();
    return true;
  }

  private commitGuard(generation: number, partitions: readonly number[]): Error | undefined {
    if (this.state === 'aborted') return new Error('commit refused: the member was aborted');
    if (generation !== this.generation) return new Error(`commit under generation ${generation} refused: the batch was read in generation ${this.generation}`);
    const lost = partitions.filter((p) => !this.assigned.includes(p));
    if (lost.length > 0) return new Error(`commit refused: partitions ${lost.join(', ')} are no longer assigned to this member`);
    return undefined;
  }

  private onJoin(generation: number, assignments: readonly { topic: string; partitions: number[] }[]): void {
    this.generation = generation;
    this.assigned = [...(assignments.find((a) => a.topic === this.topic)?.partitions ?? [])].sort((a, b) => a - b);
    this.ready = false;
    this.rebalancing = false;
    this.buffers.clear();
    this.positions.clear();
    void this.initPositions(generation);
    this.signal.notify();
  }

  /**
   * Starting positions of a new assignment: the group's committed offsets; where there is none,
   * the oldest record (`earliest`) or the end as it was when the member was created (`latest`).
   * Those starts are committed at once, so a partition that moves to another member before this
   * one acknowledged anything does not resolve `latest` again later and skip records.
   */
  private async initPositions(generation: number): Promise<void> {
    let delay = this.options.settings.retryDelayMs;
    const current = (): boolean => this.state === 'running' && this.generation === generation;
    while (current()) {
      try {
        const parts = this.assigned;
        const starts = new Map<number, bigint>();
        if (parts.length > 0) {
          const committed = (await this.client.listCommittedOffsets({ topics: [{ topic: this.topic, partitions: parts }] })).get(this.topic) ?? [];
          const missing: number[] = [];
          for (const p of parts) {
            const offset = committed[p];
            if (offset !== undefined && offset >= 0n) starts.set(p, offset);
            else missing.push(p);
          }
          if (missing.length > 0) {
            const fresh = new Map<number, bigint>();
            const fromSnapshot = this.options.from === 'latest' ? this.latestAtStart : undefined;
            const unknown = missing.filter((p) => fromSnapshot?.get(p) === undefined);
            const listed = unknown.length > 0 ? await this.listOffsets(this.options.from === 'earliest' ? ListOffsetTimestamps.EARLIEST : ListOffsetTimestamps.LATEST, unknown) : new Map<number, bigint>();
            for (const p of missing) {
              const offset = fromSnapshot?.get(p) ?? listed.get(p);
              if (offset === undefined) throw new Error(`no offset listed for partition ${p}`);
              fresh.set(p, offset);
              starts.set(p, offset);
            }
            if (!current()) return;
            await this.commit(fresh).catch((error: unknown) => {
              this.options.logger?.warn({ group: this.options.group, error: describeKafkaError(error) }, 'kafka: recording the starting offsets failed; continuing');
            });
          }
        }
        if (!current()) return;
        for (const [p, offset] of starts) this.positions.set(p, offset);
        this.ready = true;
        this.signal.notify();
        return;
      } catch (error) {
        if (!current()) return;
        this.options.logger?.warn({ group: this.options.group, error: describeKafkaError(error), retryInMs: delay }, 'kafka: reading the starting offsets failed; retrying');
        await this.sleep(delay);
        delay = Math.min(delay * 2, MAX_BACKOFF_MS);
      }
    }
  }

  private async listOffsets(timestamp: bigint, partitions?: readonly number[]): Promise<Map<number, bigint>> {
    const listed = await this.client.listOffsets({
      topics: [this.topic],
      ...(partitions ? { partitions: { [this.topic]: [...partitions] } } : {}),
      timestamp,
    });
    const out = new Map<number, bigint>();
    (listed.get(this.topic) ?? []).forEach((offset, p) => {
      if (offset !== undefined) out.set(p, offset);
    });
    return out;
  }

  private async commit(offsets: ReadonlyMap<number, bigint>): Promise<void> {
    if (offsets.size === 0) return;
    await this.client.commit({ offsets: [...offsets].map(([partition, offset]) => ({ topic: this.topic, partition, offset, leaderEpoch: -1 })) });
  }

  // ── Delivery ───────────────────────────────────────────────────────────────────────────────

  private async run(): Promise<void> {
    const initialBackoff = this.options.settings.retryBackoffMs;
    let backoff = initialBackoff;
    while (this.state === 'running') {
      if (!this.ready || this.rebalancing) {
        await this.signal.wait();
        continue;
      }
      const batch = this.buffers.take(this.options.maxBatch);
      if (batch.length === 0) {
        this.pump();
        await this.signal.wait();
        continue;
      }
      const generation = this.generation;
      const outcome = this.deliver(batch, generation).catch((error: unknown) => {
        // Not expected (deliver catches what the handler and the commit throw); never skip records.
        if (generation === this.generation) this.seekBack(batch);
        this.options.logger?.warn({ group: this.options.group, error: describeKafkaError(error) }, 'kafka: delivering a batch failed');
        return 'failed' as const;
      });
      this.inFlight = outcome;
      if ((await outcome) === 'failed') {
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      } else {
        backoff = initialBackoff;
      }
    }
  }

  private async deliver(batch: readonly Entry<T>[], generation: number): Promise<'done' | 'failed' | 'dropped'> {
    const records: LogRecord<T>[] = [];
    for (const e of batch) if (e.value !== undefined) records.push({ key: e.key, value: e.value, partition: e.partition, offset: e.offset.toString() });
    try {
      if (records.length > 0) await this.options.handler(records);
    } catch (error) {
      if (this.state === 'aborted' || generation !== this.generation) return 'dropped';
      this.seekBack(batch);
      this.options.logger?.warn({ group: this.options.group, records: batch.length, error: describeKafkaError(error) }, 'kafka: handler failed; the batch will be delivered again');
      return 'failed';
    }
    // An aborted member acknowledges nothing; after a rebalance the partitions may be someone else's.
    if (this.state === 'aborted' || generation !== this.generation) return 'dropped';
    try {
      await this.commit(commitOffsets(batch));
    } catch (error) {
      // Not acknowledged: delivered again to whoever owns the partition after the next rebalance,
      // unless a later commit of this member covers it (commits are positions, not per record).
      this.options.logger?.warn({ group: this.options.group, error: describeKafkaError(error) }, 'kafka: committing offsets failed');
      return 'done';
    }
    const skipped = batch.length - records.length;
    if (skipped > 0) {
      this.options.onDecodeFailures(skipped);
      this.options.logger?.warn({ group: this.options.group, skipped }, 'kafka: records the codec could not read were skipped');
    }
    return 'done';
  }

  /** At-least-once: the batch's partitions go back to its first offsets, to be fetched and delivered again. */
  private seekBack(batch: readonly Entry<T>[]): void {
    for (const [p, offset] of seekBackOffsets(batch)) {
      this.buffers.clear(p);
      this.positions.set(p, offset);
    }
  }

  // ── Fetching ───────────────────────────────────────────────────────────────────────────────

  /** Starts a fetch on every leader that has none in flight, for its assigned partitions with an empty buffer. */
  private pump(): void {
    if (this.pumping || this.fetchRetry || !this.ready || this.rebalancing || this.state !== 'running') return;
    this.pumping = true;
    void this.issueFetches().finally(() => {
      this.pumping = false;
    });
  }

  private async issueFetches(): Promise<void> {
    const generation = this.generation;
    let metadata;
    try {
      metadata = await this.client.metadata({ topics: [this.topic] });
    } catch (error) {
      this.fetchFailed(error);
      return;
    }
    if (!this.ready || this.rebalancing || this.state !== 'running' || generation !== this.generation) return;
    const topic = metadata.topics.get(this.topic);
    if (!topic) {
      this.fetchFailed(new Error(`topic "${this.topic}" is missing from the cluster metadata`));
      return;
    }
    const byLeader = new Map<number, number[]>();
    let leaderless = 0;
    for (const p of this.assigned) {
      if (this.buffers.has(p) || !this.positions.has(p)) continue;
      const leader = topic.partitions[p]?.leader;
      if (leader === undefined || leader < 0) {
        leaderless++;
        continue;
      }
      if (this.inflightLeaders.has(leader)) continue;
      const list = byLeader.get(leader) ?? [];
      list.push(p);
      byLeader.set(leader, list);
    }
    if (leaderless > 0 && byLeader.size === 0 && this.inflightLeaders.size === 0) {
      this.client.clearMetadata();
      this.fetchFailed(new Error(`${leaderless} partition(s) of "${this.topic}" have no leader`));
      return;
    }
    for (const [leader, partitions] of byLeader) {
      this.inflightLeaders.add(leader);
      void this.fetchFrom(leader, topic.id, partitions, generation).finally(() => {
        this.inflightLeaders.delete(leader);
        this.signal.notify();
      });
    }
  }

  private async fetchFrom(leader: number, topicId: string, partitions: readonly number[], generation: number): Promise<void> {
    const { settings } = this.options;
    const requested = new Map<number, bigint>();
    for (const p of partitions) requested.set(p, this.positions.get(p)!);
    let response: FetchResponse | undefined;
    let failure: unknown;
    try {
      response = await this.client.fetch({
        node: leader,
        topics: [
          {
            topicId,
            partitions: partitions.map((partition) => ({
              partition,
              fetchOffset: requested.get(partition)!,
              partitionMaxBytes: settings.partitionMaxBytes,
              currentLeaderEpoch: -1,
              lastFetchedEpoch: -1,
            })),
          },
        ],
        maxWaitTime: settings.fetchMaxWaitMs,
        minBytes: 1,
        maxBytes: settings.fetchMaxBytes,
        connectionPool: this.fetchPool,
      });
    } catch (error) {
      failure = error;
      // A response with errors on some partitions still carries the records of the others.
      response = flattenErrors(error)
        .map((e) => (e as { response?: unknown }).response)
        .find((r): r is FetchResponse => typeof r === 'object' && r !== null && Array.isArray((r as { responses?: unknown }).responses));
    }
    if (this.state !== 'running' || generation !== this.generation || !this.ready) return;
    if (response) this.accept(response, requested);
    if (failure === undefined) {
      this.fetchFailures = 0;
      return;
    }
    const errors = partitionErrors(failure, response);
    const outOfRange = [...errors].filter(([, id]) => id === 'OFFSET_OUT_OF_RANGE').map(([p]) => p);
    if (outOfRange.length > 0) await this.resetOutOfRange(outOfRange, requested, generation);
    if (errors.size === 0 || [...errors.values()].some((id) => id !== 'OFFSET_OUT_OF_RANGE')) {
      this.client.clearMetadata();
      this.fetchFailed(failure);
    }
  }

  /** Appends a fetch answer to the buffers, unless the position moved meanwhile (a seek or a rebalance). */
  private accept(response: FetchResponse, requested: ReadonlyMap<number, bigint>): void {
    for (const topic of response.responses) {
      for (const part of topic.partitions) {
        const p = part.partitionIndex;
        const from = requested.get(p);
        if (part.errorCode !== 0 || from === undefined || this.positions.get(p) !== from || !part.records) continue;
        const { records, next } = extractRecords(p, part.records, from);
        this.buffers.push(p, records.map((r) => this.decode(r)));
        this.positions.set(p, next);
      }
    }
  }

  private decode(r: RawRecord): Entry<T> {
    let value: T | undefined;
    try {
      value = r.value === null ? undefined : this.options.codec.decode(r.value);
    } catch {
      value = undefined;
    }
    return { partition: r.partition, offset: r.offset, key: r.key?.toString('utf8') ?? '', value };
  }

  /** The group's position fell out of the retained range (retention, truncation): move it back in. */
  private async resetOutOfRange(partitions: readonly number[], requested: ReadonlyMap<number, bigint>, generation: number): Promise<void> {
    try {
      const [earliest, latest] = await Promise.all([this.listOffsets(ListOffsetTimestamps.EARLIEST, partitions), this.listOffsets(ListOffsetTimestamps.LATEST, partitions)]);
      if (generation !== this.generation || this.state !== 'running') return;
      for (const p of partitions) {
        const from = requested.get(p);
        const low = earliest.get(p);
        const high = latest.get(p);
        if (from === undefined || low === undefined || high === undefined || this.positions.get(p) !== from) continue;
        const to = clampOffset(from, low, high);
        this.positions.set(p, to);
        this.options.logger?.warn({ group: this.options.group, partition: p, from: from.toString(), to: to.toString() }, 'kafka: position out of the retained range; moved');
      }
    } catch (error) {
      this.fetchFailed(error);
    }
  }

  /** Fetching pauses with a growing delay (the client already retried); the loop is woken after it. */
  private fetchFailed(error: unknown): void {
    if (this.state !== 'running') return;
    const delay = Math.min(this.options.settings.retryDelayMs * 2 ** this.fetchFailures, MAX_BACKOFF_MS);
    this.fetchFailures = Math.min(this.fetchFailures + 1, 16);
    this.options.logger?.warn({ group: this.options.group, error: describeKafkaError(error), retryInMs: delay }, 'kafka: fetching failed; retrying');
    if (this.fetchRetry) return;
    this.fetchRetry = setTimeout(() => {
      this.fetchRetry = undefined;
      this.signal.notify();
    }, delay);
  }

  // ── Leaving ────────────────────────────────────────────────────────────────────────────────

  /**
   * LeaveGroup at once (the coordinator rebalances without waiting for the session timeout), then
   * the connections. `leaveGroup()` marks the membership inactive before its request, so a held
   * heartbeat answer or a join in flight can no longer rejoin.
   */
  private leave(): Promise<void> {
    this.leaving ??= (async () => {
      const { settings, logger, group } = this.options;
      clearTimeout(this.fetchRetry);
      this.fetchRetry = undefined;
      // The callback form: the promise overload of leaveGroup() is shadowed in the client's typings.
      const leaving = new Promise<void>((resolve, reject) => {
        this.client.leaveGroup(false, (error) => (error ? reject(error) : resolve()));
      });
      this.left.resolve();
      try {
        await withTimeout(leaving, settings.closeTimeoutMs, `leaving group "${group}" took longer than ${settings.closeTimeoutMs} ms`);
      } catch (error) {
        logger?.warn({ group, error: describeKafkaError(error) }, 'kafka: leaving the consumer group failed; the coordinator drops the member after the session timeout');
      }
      try {
        await withTimeout(this.client.close(), settings.closeTimeoutMs, 'closing the consumer took too long');
      } catch {
        await this.client.connections.close().catch(() => {});
      }
      await this.fetchPool.close().catch(() => {});
    })();
    return this.leaving;
  }

  private wakeAll(): void {
    this.signal.notify();
    for (const wake of this.sleepers) wake();
  }

  /** A delay that ends early when the member stops or aborts. */
  private sleep(ms: number): Promise<void> {
    if (this.state !== 'running') return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }
}
