import { backoffDelay, doubling } from '../domain/backoff.js';
import { utcDayStart } from '../domain/daily-stats.js';
import { userChannel, type AlertEvent, type UserEvent } from '../domain/accounts/user-events.js';
import type { AlertRule } from '../domain/alerts/alert.js';
import { AlertBook } from '../domain/alerts/alert-book.js';
import { FireBudget } from '../domain/alerts/fire-budget.js';
import { decide } from '../domain/alerts/rules.js';
import type { Tick } from '../domain/tick.js';
import { audit } from '../observability/audit.js';
import { traceTickWork } from '../observability/tracing/tick-work.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Database } from '../ports/database.js';
import type { Consumer, EventLog, LogRecord } from '../ports/event-log.js';
import type { Service } from '../ports/lifecycle.js';
import type { PriceStore } from '../ports/price-store.js';
import type { PubSub } from '../ports/pubsub.js';

export interface AlertsDeps {
  readonly log: EventLog<Tick>;
  readonly db: Database;
  readonly store: PriceStore;
  readonly userEvents: PubSub<UserEvent>;
  readonly refreshMs: number;
  /**
   * Set for a database opened on first use (DATA_DIR=memory): until it opens it holds no alerts
   * and this process's API is its only writer, so the index starts empty, follows the API, and
   * is loaded in full once this resolves.
   */
  readonly deferLoad?: Promise<void>;
  readonly maxBatch: number;
  /** Fires per user per second (token bucket refill) and at once (its size): see FireBudget. */
  readonly userFireRate: number;
  readonly userFireBurst: number;
  readonly group?: string;
  readonly now?: () => number;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

/** Polls overlap by this much, so a write whose transaction began just before a poll is not missed. */
const POLL_OVERLAP_MS = 5_000;
/** Loading the alert index again after a failure: 250 ms, doubling up to 10 s. */
const LOAD_RETRY = doubling(250, 10_000);
/** Deletion tombstones outlive any poll window by far. */
const TOMBSTONE_TTL_MS = 3_600_000;
/** A write refused because the alert changed is re-read and decided again, this many times at most. */
const MAX_ATTEMPTS = 3;
/** Most fire and arm attempts sent in one statement. */
const MAX_WRITES = 500;

interface Attempt {
  readonly rule: AlertRule;
  readonly tick: Tick;
  readonly open: number | undefined;
}

/** Fire and arm attempts decided on a run of ticks, written together; one per alert. */
class PendingWrites {
  readonly fires: Attempt[] = [];
  readonly arms: Attempt[] = [];
  private readonly ids = new Set<number>();

  add(kind: 'fire' | 'arm', attempt: Attempt): void {
    (kind === 'fire' ? this.fires : this.arms).push(attempt);
    this.ids.add(attempt.rule.id);
  }

  has(id: number): boolean {
    return this.ids.has(id);
  }

  get size(): number {
    return this.ids.size;
  }

  take(): { fires: Attempt[]; arms: Attempt[] } {
    const taken = { fires: this.fires.splice(0), arms: this.arms.splice(0) };
    this.ids.clear();
    return taken;
  }
}

/** What the API calls in this process when it changes an alert, so the index follows at once. */
export interface AlertListener {
  changed(rule: AlertRule): void;
  deleted(id: number): void;
}

/**
 * The alerts role: its own consumer group on the tick log, an in-memory index of active alerts per
 * symbol, pure evaluation (domain/alerts/rules), and conditional writes that make the database the
 * judge of every fire. Only when the database says a fire happened is the owner told, on
 * `user.<id>`; so a tick delivered twice, replayed after a restart, or seen by two alert processes
 * fires an alert once.
 *
 * The index follows the database three ways: a full load at start, the API's calls in this
 * process (AlertListener), and a poll of the change feed every `refreshMs` for writes by other
 * processes. A stale entry costs at most a write the database refuses, after which it is re-read.
 *
 * Writes are batched: the decisions on a run of ticks go to the database as one conditional
 * update for the fires and one for the arms (an alert decided again before its write is answered
 * flushes the run first), so a busy role pays a round trip per batch, not per fire. Each user's
 * fires are bounded by a FireBudget, so one user's flood of re-arming alerts cannot delay everyone
 * else's.
 *
 * Notifications are at-most-once (pub/sub): a crash between the commit and the publish loses the
 * message but not the record, which stays in the alert and its events.
 */
export class AlertsService implements Service, AlertListener {
  readonly name = 'alerts';
  private readonly book = new AlertBook();
  /** Highest seq evaluated per symbol: redelivered or stale ticks within this process are skipped. */
  private readonly lastSeq = new Map<string, number>();
  private readonly opens = new Map<string, { day: number; open: number }>();
  private consumer: Consumer | undefined;
  private poller: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private since = new Date(0);
  private lastPrune = 0;
  /** Resolves once the index is loaded (the database may still be opening at start). */
  private loaded: Promise<void> = Promise.resolve();
  private stopped = false;
  private indexLoaded = false;
  private wakeOnStop: (() => void) | undefined;
  private readonly budget: FireBudget;
  private readonly now: () => number;

  constructor(private readonly deps: AlertsDeps) {
    this.budget = new FireBudget(deps.userFireRate, deps.userFireBurst);
    this.now = deps.now ?? Date.now;
  }

  /**
   * Joins the consumer group at once, so no tick appended from now on is missed, and loads the
   * index in the background: batches wait for it (unacknowledged, so nothing is lost).
   */
  async start(): Promise<void> {
    this.stopped = false;
    const stopping = new Promise<void>((resolve) => (this.wakeOnStop = resolve));
    if (this.deps.deferLoad) {
      this.indexLoaded = true;
      void Promise.race([this.deps.deferLoad, stopping]).then(() => (this.stopped ? undefined : this.load()));
    } else {
      this.loaded = Promise.race([this.load(), stopping]);
    }
    const group = this.deps.group ?? 'alerts';
    // `latest` for a new group: alerts are about prices from now on, not the log's retained past.
    this.consumer = await this.deps.log.consume({ group, maxBatch: this.deps.maxBatch, from: 'latest' }, (records) => this.handle(records));
    this.deps.logger.info({ group, refreshMs: this.deps.refreshMs }, 'alerts started');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeOnStop?.();
    if (this.poller) clearTimeout(this.poller);
    this.poller = undefined;
    await this.consumer?.stop();
    this.consumer = undefined;
    await this.polling;
  }

  /** Reads every active alert, retrying until it works or the role stops; then starts polling. */
  private async load(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        const { rules, now } = await this.deps.db.alerts.activeRules();
        for (const rule of rules) this.book.put(rule);
        this.since = new Date(now.getTime() - POLL_OVERLAP_MS);
        this.indexLoaded = true;
        this.gauge();
        this.deps.logger.info({ active: this.book.size }, 'alert index loaded');
        if (!this.stopped) this.schedulePoll();
        return;
      } catch (error) {
        const delay = backoffDelay(attempt, LOAD_RETRY);
        this.deps.logger.warn({ err: error, retryInMs: delay }, 'loading alerts failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
      }
    }
  }

  changed(rule: AlertRule): void {
    this.book.put(rule);
    this.gauge();
  }

  deleted(id: number): void {
    this.book.delete(id);
    this.gauge();
  }

  /** Exposed for tests that drive the role without a log. */
  async handle(records: readonly LogRecord<Tick>[]): Promise<void> {
    await this.loaded;
    // Stopped before the index was there: leave the batch unacknowledged for the next member.
    if (!this.indexLoaded) throw new Error('alerts stopped before its index was loaded');
    const pending = new PendingWrites();
    /** Ticks decided but not yet written: `lastSeq` moves only once their writes are in. */
    const decided = new Map<string, number>();
    for (const { value: tick } of records) {
      if (tick.seq <= (decided.get(tick.symbol) ?? this.lastSeq.get(tick.symbol) ?? 0)) continue;
      let rules = this.book.forSymbol(tick.symbol);
      if (rules.length > 0) {
        // An alert's state after a pending write depends on the answer: write, then decide on what
        // the index holds now.
        if (rules.some((r) => pending.has(r.id))) {
          await this.flush(pending, decided);
          rules = this.book.forSymbol(tick.symbol);
        }
        await traceTickWork('alerts evaluate', tick, { 'tick.symbol': tick.symbol, 'tick.seq': tick.seq, 'alert.rules': rules.length }, async () => {
          const open = rules.some((r) => r.condition === 'pct_move') ? await this.dayOpen(tick) : undefined;
          for (const rule of rules) this.decideOne(pending, rule, tick, open);
        });
      }
      decided.set(tick.symbol, tick.seq);
      if (pending.size >= MAX_WRITES) await this.flush(pending, decided);
    }
    // If a write throws, the batch comes again and its undecided ticks are evaluated again.
    await this.flush(pending, decided);
  }

  private decideOne(pending: PendingWrites, rule: AlertRule, tick: Tick, open: number | undefined): void {
    const decision = decide(rule, tick, open);
    if (decision === 'none') return;
    if (decision === 'fire' && !this.budget.take(rule.userId, this.now())) {
      // Over the owner's budget: the alert stays armed and fires on a later tick (FireBudget).
      this.deps.metrics.alertFiresDeferred.inc();
      return;
    }
    pending.add(decision, { rule, tick, open });
  }

  /** Writes the pending fires and arms (a statement each), then acts on the answers. */
  private async flush(pending: PendingWrites, decided: Map<string, number>): Promise<void> {
    const { fires, arms } = pending.take();
    const alerts = this.deps.db.alerts;
    const firedAll = fires.length > 0 ? await alerts.fireAll(fires) : [];
    const armedAll = arms.length > 0 ? await alerts.armAll(arms) : [];
    const refused: Attempt[] = [];
    arms.forEach((attempt, i) => {
      const armed = armedAll[i];
      if (armed) this.changed(armed);
      else refused.push(attempt);
    });
    for (const [i, attempt] of fires.entries()) {
      const fired = firedAll[i];
      if (!fired) {
        refused.push(attempt);
        continue;
      }
      const { tick } = attempt;
      this.changed(fired.rule);
      this.deps.metrics.alertsFired.inc();
      audit(this.deps.logger, 'alert.fired', { userId: fired.userId, alertId: fired.alert.id, symbol: tick.symbol, price: tick.price, seq: tick.seq });
      // One at a time, in the order decided: an owner's messages come in tick and alert order.
      await this.notify({ type: 'alert', userId: fired.userId, alert: fired.alert, price: tick.price, ts: tick.ts });
    }
    // Refused: the alert changed since we read it (or is gone). Decide again on what is stored.
    for (const { rule, tick, open } of refused) await this.retry(rule, tick, open);
    for (const [symbol, seq] of decided) this.lastSeq.set(symbol, seq);
    decided.clear();
  }

  /** After a refused write, one alert at a time (rare): re-read, decide again, write again. */
  private async retry(start: AlertRule, tick: Tick, open: number | undefined): Promise<void> {
    const alerts = this.deps.db.alerts;
    let rule = start;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      this.deps.metrics.alertWritesRefused.inc();
      const fresh = await alerts.rule(rule.id);
      if (!fresh) return this.deleted(rule.id);
      this.changed(fresh);
      if (fresh.revision === rule.revision) return;
      rule = fresh;
      const decision = decide(rule, tick, open);
      if (decision === 'none') return;
      if (decision === 'arm') {
        const armed = await alerts.arm(rule, tick);
        if (armed) return this.changed(armed);
      } else {
        // The budget was taken for this tick's first attempt; a retry of it is not charged again.
        const fired = await alerts.fire(rule, tick);
        if (fired) {
          this.changed(fired.rule);
          this.deps.metrics.alertsFired.inc();
          this.deps.metrics.alertDelay.observe(Math.max(0, Date.now() - tick.ts) / 1000);
          audit(this.deps.logger, 'alert.fired', { userId: fired.userId, alertId: fired.alert.id, symbol: tick.symbol, price: tick.price, seq: tick.seq });
          return this.notify({ type: 'alert', userId: fired.userId, alert: fired.alert, price: tick.price, ts: tick.ts });
        }
      }
    }
  }

  private async notify(event: AlertEvent): Promise<void> {
    try {
      await this.deps.userEvents.publish(userChannel(event.userId), event);
    } catch (error) {
      // The fire is recorded; only the live message is lost (pub/sub is at-most-once anyway).
      this.deps.logger.error({ err: error, alert: event.alert.id }, 'publishing an alert failed');
    }
  }

  /** The day's open from the store, for pct_move; undefined until the store has this day. */
  private async dayOpen(tick: Tick): Promise<number | undefined> {
    const day = utcDayStart(tick.ts);
    const cached = this.opens.get(tick.symbol);
    if (cached?.day === day) return cached.open;
    const quote = await this.deps.store.quote(tick.symbol);
    if (!quote || utcDayStart(quote.ts) !== day) return undefined;
    this.opens.set(tick.symbol, { day, open: quote.open });
    return quote.open;
  }

  private schedulePoll(): void {
    this.poller = setTimeout(() => {
      this.polling = this.poll()
        .catch((error: unknown) => this.deps.logger.warn({ err: error }, 'polling alert changes failed; retrying'))
        .finally(() => {
          this.polling = undefined;
          if (!this.stopped) this.schedulePoll();
        });
    }, this.deps.refreshMs);
  }

  /** Applies what other processes changed since the last poll (windows overlap; revisions dedupe). */
  private async poll(): Promise<void> {
    const alerts = this.deps.db.alerts;
    const { changed, deleted, now } = await alerts.changes(this.since);
    for (const rule of changed) this.book.put(rule);
    for (const id of deleted) this.book.delete(id);
    this.since = new Date(now.getTime() - POLL_OVERLAP_MS);
    if (now.getTime() - this.lastPrune > TOMBSTONE_TTL_MS / 6) {
      this.lastPrune = now.getTime();
      await alerts.pruneTombstones(new Date(now.getTime() - TOMBSTONE_TTL_MS));
    }
    this.gauge();
  }

  private gauge(): void {
    this.deps.metrics.alertsActive.set(this.book.size);
  }
}
