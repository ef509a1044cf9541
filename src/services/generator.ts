import type { Market } from '../domain/price-model.js';
import type { Tick } from '../domain/tick.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { EventLog, LogRecordInput } from '../ports/event-log.js';
import type { Service } from '../ports/lifecycle.js';
import { backoffDelay, doubling, type BackoffPolicy } from '../domain/backoff.js';
import type { PriceStore } from '../ports/price-store.js';

export interface GeneratorDeps {
  readonly market: Market;
  readonly log: EventLog<Tick>;
  /**
   * The latest processed ticks: consulted besides the log's tail at start, for a log that lost its
   * records (the in-process log after a restart) while the store kept its own.
   */
  readonly store?: PriceStore;
  readonly ticksPerSecond: number;
  /** Stop after this many ticks; 0 never stops. */
  readonly maxTicks?: number;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly now?: () => number;
  /** First pause before appending a failed batch again; doubles up to 5 s. */
  readonly retryBackoffMs?: number;
}

/** Most ticks made in one timer turn: after a stall the generator catches up by at most a second. */
const MAX_CATCH_UP_SECONDS = 1;
const MAX_RETRY_BACKOFF_MS = 5_000;

/**
 * The simulated market. Ticks are produced open-loop at a fixed average rate: each timer turn
 * makes as many as are due since start, so a late timer does not lower the rate.
 *
 * `seq` is the promise clients check for gaps, so a numbered tick is never thrown away: a batch
 * the log refused is appended again, whole and before anything newer, until it lands. Meanwhile no
 * tick is made (the due ones are skipped unnumbered: the generator is held back, not the
 * sequence). At start the sequence continues from what the log holds, not from what the
 * processor has stored, which lags the log and would have the same `seq` given to a second price.
 */
export class GeneratorService implements Service {
  readonly name = 'generator';
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  /** A numbered batch the log has not taken yet; retried before anything else is made. */
  private unappended: LogRecordInput<Tick>[] | undefined;
  private retryAt = 0;
  /** Appends failed in a row: how long the next retry waits (src/domain/backoff.ts). */
  private appendFailures = 0;
  private readonly appendRetry: BackoffPolicy;
  private startedAt = 0;
  private produced = 0;
  /** Ticks actually made (produced counts those due, including skipped ones). */
  private appended = 0;
  private readonly now: () => number;

  constructor(private readonly deps: GeneratorDeps) {
    this.now = deps.now ?? Date.now;
    this.appendRetry = doubling(deps.retryBackoffMs ?? 100, MAX_RETRY_BACKOFF_MS);
  }

  async start(): Promise<void> {
    await this.resumeSequences();
    this.startedAt = this.now();
    this.produced = 0;
    const intervalMs = Math.max(1, Math.min(100, 1000 / this.deps.ticksPerSecond));
    this.timer = setInterval(() => this.turn(), intervalMs);
    this.deps.logger.info({ ticksPerSecond: this.deps.ticksPerSecond, symbols: this.deps.market.symbols.length }, 'generator started');
  }

  /** Each symbol continues after the highest `seq` found in the log's tail or the store. */
  private async resumeSequences(): Promise<void> {
    const { market, log, store, logger } = this.deps;
    const last = new Map<string, Tick>();
    const consider = (tick: Tick): void => {
      if ((last.get(tick.symbol)?.seq ?? -1) < tick.seq) last.set(tick.symbol, tick);
    };
    if (store) for (const tick of await store.latestAll()) consider(tick);
    if (log.lastByKey) for (const tick of (await log.lastByKey(market.symbols)).values()) consider(tick);
    else logger.warn('this event log cannot read its tail: seq continues from the price store, which may lag the log');
    for (const tick of last.values()) market.resume(tick.symbol, tick.seq, tick.price);
  }

  private turn(): void {
    if (this.inFlight) return; // the log is slower than the rate: let it catch up
    const now = this.now();
    const due = Math.floor(((now - this.startedAt) / 1000) * this.deps.ticksPerSecond) - this.produced;
    if (this.unappended) {
      // Held back: what falls due meanwhile is not made, so nothing piles up behind the outage.
      this.produced += Math.max(0, due);
      if (now >= this.retryAt) this.send(this.unappended);
      return;
    }
    if (due <= 0) return;
    const max = this.deps.maxTicks ?? 0;
    const left = max > 0 ? max - this.appended : Infinity;
    const count = Math.min(due, Math.ceil(this.deps.ticksPerSecond * MAX_CATCH_UP_SECONDS), left);
    // What could not be made in time is skipped, not made later in a burst.
    this.produced += due;
    if (count <= 0) return;
    this.appended += count;
    const records = new Array<LogRecordInput<Tick>>(count);
    for (let i = 0; i < count; i++) {
      const tick = this.deps.market.next(now);
      records[i] = { key: tick.symbol, value: tick };
    }
    this.send(records);
  }

  private send(records: LogRecordInput<Tick>[]): void {
    const max = this.deps.maxTicks ?? 0;
    this.inFlight = this.deps.log
      .append(records)
      .then(
        () => {
          if (this.unappended) this.deps.logger.info({ count: records.length }, 'held ticks appended; generating again');
          this.unappended = undefined;
          this.appendFailures = 0;
          this.deps.metrics.ticksGenerated.inc(records.length);
        },
        (error: unknown) => {
          if (!this.unappended) this.deps.logger.warn({ err: error, count: records.length }, 'appending ticks failed; holding them and retrying in order');
          this.unappended = records;
          this.retryAt = this.now() + backoffDelay(this.appendFailures++, this.appendRetry);
        },
      )
      .finally(() => {
        this.inFlight = undefined;
        if (max > 0 && this.appended >= max && !this.unappended) this.finish();
      });
  }

  private finish(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.deps.logger.info({ ticks: this.appended }, 'generator finished');
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight;
    if (this.unappended) {
      // Not a hole: the next generator continues from the log's tail, so these seqs are given again.
      const seqs = this.unappended.map((r) => r.value.seq);
      this.deps.logger.warn({ count: seqs.length, fromSeq: Math.min(...seqs), toSeq: Math.max(...seqs) }, 'stopping with ticks the log never took; they were not published');
    }
  }
}
