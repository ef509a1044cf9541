import { userChannel, type UserEvent } from '../domain/accounts/user-events.js';
import { backoffDelay, doubling } from '../domain/backoff.js';
import type { AccountRules } from '../domain/orders/account-rules.js';
import type { OrderCommand } from '../domain/orders/commands.js';
import { Coalescer } from '../domain/coalescer.js';
import { matchTick, type FillBounds } from '../domain/orders/matching.js';
import { toDollars } from '../domain/orders/money.js';
import { isOpen } from '../domain/orders/order.js';
import { orderView, type OrderRecord } from '../domain/orders/records.js';
import type { Tick } from '../domain/tick.js';
import { audit } from '../observability/audit.js';
import type { Metrics } from '../observability/metrics.js';
import type { Logger } from '../observability/logger.js';
import { OrderTraces } from '../observability/tracing/order-traces.js';
import type { Database } from '../ports/database.js';
import type { Consumer, EventLog, LogRecord } from '../ports/event-log.js';
import type { Service } from '../ports/lifecycle.js';
import type { Delivery, OrderQueue, QueueConsumer } from '../ports/order-queue.js';
import type { PriceStore } from '../ports/price-store.js';
import type { PubSub } from '../ports/pubsub.js';
import { decideUnderLocks } from './fill-decision.js';
import { valuePortfolios } from './portfolio-valuation.js';

export interface OrdersDeps {
  readonly log: EventLog<Tick>;
  readonly queue: OrderQueue<OrderCommand>;
  readonly db: Database;
  readonly store: PriceStore;
  readonly userEvents: PubSub<UserEvent>;
  /** How often open orders are re-read from the database (orders whose command was lost, other processes' changes). */
  readonly refreshMs: number;
  /** At most one portfolio message per user per this interval. */
  readonly portfolioIntervalMs: number;
  readonly rules: AccountRules;
  readonly maxBatch: number;
  readonly metrics: Pick<Metrics, 'orderFills' | 'ordersClosedBySystem'>;
  readonly group?: string;
  readonly logger: Logger;
}

/** Loading open orders again after a failure: 250 ms, doubling up to 10 s. */
const LOAD_RETRY = doubling(250, 10_000);
/** Bounds that never limit: used to ask "could this tick do anything?" before taking locks. */
const UNBOUNDED: FillBounds = { spendable: Number.MAX_SAFE_INTEGER, held: Number.MAX_SAFE_INTEGER };
/** Orders decided in one transaction at most: bounds its statements' size and how long it holds locks. */
const MAX_ORDERS_PER_BATCH = 500;
/** Order commands one consumer holds at once: enough for a batch of accepts to form under load. */
const COMMAND_PREFETCH = 256;

/**
 * The orders role. Order commands come from the OrderQueue (accept a new order, drop a canceled
 * one); ticks come from its own consumer group on the tick log. Open orders are kept per symbol
 * in memory; the orders a batch of ticks could change are decided again in one database
 * transaction that locks their owners' accounts and the orders (decideUnderLocks: matchTick on
 * the stored state and current funds, tick by tick), writes the fills, orders, positions and cash
 * together, and keys each fill by (order, tick seq). One transaction per batch, not per fill: on
 * the embedded database every statement waits its turn, so statements per order set the
 * throughput. A tick redelivered, replayed after a crash, or seen by two orders processes fills
 * once; the owner is told (`order`, then a throttled `portfolio`) only after the commit.
 *
 * The in-memory book is a cache: it is rebuilt from the database at start and every `refreshMs`,
 * so an order whose command was lost still trades, and stale entries cost a transaction that
 * finds nothing to do.
 */
export class OrdersService implements Service {
  readonly name = 'orders';
  private book = new Map<string, Map<number, OrderRecord>>();
  /** symbol → users holding it, whose portfolio value moves with its ticks. */
  private readonly holders = new Map<string, Set<number>>();
  private readonly dirty = new Set<number>();
  private ticks: Consumer | undefined;
  private commands: QueueConsumer | undefined;
  private refresher: NodeJS.Timeout | undefined;
  private flusher: NodeJS.Timeout | undefined;
  private loaded: Promise<void> = Promise.resolve();
  /** While the book is re-read: what this process changed meanwhile, newer than what the read saw. */
  private whileLoading: { orders: Map<number, OrderRecord | 'gone'>; held: [string, number][] } | undefined;
  private background = new Set<Promise<unknown>>();
  private stopped = false;
  /** Each traced order's trace, so its fill joins it (see order-traces.ts). */
  private readonly traces = new OrderTraces();
  private readonly accepts = new Coalescer<number, OrderRecord | undefined>(async (ids) => {
    const byId = new Map((await this.deps.db.orders.accept(ids)).map((o) => [o.id, o]));
    // An id asked for twice in one batch (its command redelivered, or a refresh meeting it) is
    // accepted once: only the first asker gets the order and tells its owner, as in two batches.
    return ids.map((id) => {
      const accepted = byId.get(id);
      byId.delete(id);
      return accepted;
    });
  });

  constructor(private readonly deps: OrdersDeps) {}

  async start(): Promise<void> {
    this.stopped = false;
    this.loaded = this.loadUntilDone();
    this.ticks = await this.deps.log.consume({ group: this.deps.group ?? 'orders', maxBatch: this.deps.maxBatch, from: 'latest' }, (records) => this.handleTicks(records));
    this.commands = await this.deps.queue.consume((delivery) => this.handleCommand(delivery), { prefetch: COMMAND_PREFETCH });
    this.flusher = setInterval(() => this.track(this.flushPortfolios()), this.deps.portfolioIntervalMs);
    this.deps.logger.info({ refreshMs: this.deps.refreshMs }, 'orders started');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.flusher);
    clearTimeout(this.refresher);
    await this.commands?.stop();
    await this.ticks?.stop();
    await Promise.allSettled([...this.background]);
    this.commands = undefined;
    this.ticks = undefined;
  }

  /** Exposed for tests that drive the role without a queue. */
  async handleCommand({ body }: Delivery<OrderCommand>): Promise<void> {
    await this.loaded;
    if (body.kind === 'submit') {
      this.traces.remember(body.orderId);
      // Commands handled together share one UPDATE (see Coalescer): one statement per batch.
      const accepted = await this.accepts.add(body.orderId);
      if (accepted) {
        this.put(accepted);
        await this.publish({ type: 'order', userId: accepted.userId, order: orderView(accepted) });
      }
      return;
    }
    for (const orders of this.book.values()) orders.delete(body.orderId);
    this.whileLoading?.orders.set(body.orderId, 'gone');
    this.traces.forget(body.orderId);
    const order = await this.deps.db.orders.get(body.userId, body.orderId);
    if (order) {
      await this.publish({ type: 'order', userId: order.userId, order: orderView(order) });
      this.dirty.add(order.userId);
    }
  }

  /** Exposed for tests that drive the role without a log. */
  async handleTicks(records: readonly LogRecord<Tick>[]): Promise<void> {
    await this.loaded;
    const ticks: Tick[] = [];
    const candidates = new Map<number, OrderRecord>();
    for (const { value: tick } of records) {
      ticks.push(tick);
      for (const order of this.book.get(tick.symbol)?.values() ?? []) {
        if (matchTick(order, tick, UNBOUNDED)) candidates.set(order.id, order);
      }
      for (const user of this.holders.get(tick.symbol) ?? []) this.dirty.add(user);
    }
    const orders = [...candidates.values()];
    for (let i = 0; i < orders.length; i += MAX_ORDERS_PER_BATCH) await this.decide(orders.slice(i, i + MAX_ORDERS_PER_BATCH), ticks);
  }

  /**
   * One transaction for the batch: fresh orders and funds under lock, every match (decideBatch),
   * and its writes. A failure rolls all of it back and throws, so the log delivers the ticks again.
   */
  private async decide(candidates: readonly OrderRecord[], allTicks: readonly Tick[]): Promise<void> {
    const symbols = new Set(candidates.map((o) => o.symbol));
    const ticks = allTicks.filter((t) => symbols.has(t.symbol));
    const startedAt = Date.now();
    const { stillOpen, outcome, written } = await this.deps.db.transaction(async (tx) => {
      const { ledger, outcome: decided } = await decideUnderLocks(tx.orders, candidates, ticks);
      return { stillOpen: new Set(ledger.orders.map((o) => o.id)), outcome: decided, written: await tx.orders.recordBatch(decided) };
    });
    // Orders closed meanwhile (canceled, filled by another process) leave the book.
    for (const order of candidates) {
      if (stillOpen.has(order.id)) continue;
      this.book.get(order.symbol)?.delete(order.id);
      this.whileLoading?.orders.set(order.id, 'gone');
    }
    const stored = new Map(written.orders.map((o) => [o.id, o]));
    const fillOf = new Map(written.fills.map((f) => [`${f.orderId}/${f.seq}`, f]));
    // After the commit, once per (order, tick seq): a redelivered or raced tick never gets here.
    // One `order` message per status change, in the order they happened, as one transaction per
    // fill would have sent them; each carries the time the batch was written.
    const published: Promise<void>[] = [];
    for (const { tick, after } of outcome.steps) {
      const order = { ...after, updatedAt: stored.get(after.id)?.updatedAt ?? after.updatedAt };
      const fill = fillOf.get(`${order.id}/${tick.seq}`);
      if (fill) {
        this.traces.filled(order.id, tick, startedAt, () => {
          this.deps.metrics.orderFills.inc({ side: fill.side });
          audit(this.deps.logger, 'order.filled', { userId: order.userId, orderId: order.id, fillId: fill.id, symbol: fill.symbol, side: fill.side, quantity: fill.quantity, price: toDollars(fill.price), seq: fill.seq, status: order.status });
        });
        this.dirty.add(order.userId);
        if (order.side === 'buy') this.hold(order.symbol, order.userId);
      }
      if (!isOpen(order.status) && order.reason) {
        // Closed by the engine (day ended, ioc rest, funds or shares short at fill); user cancels are audited by the API.
        this.deps.metrics.ordersClosedBySystem.inc({ reason: order.reason });
        audit(this.deps.logger, order.status === 'rejected' ? 'order.rejected' : 'order.canceled', { userId: order.userId, orderId: order.id, symbol: order.symbol, filledQuantity: order.filledQuantity, quantity: order.quantity, status: order.status, by: 'system', reason: order.reason });
      }
      published.push(this.publish({ type: 'order', userId: order.userId, order: orderView(order) }));
    }
    // Last: a closed order leaving the book also forgets its trace, which its fill span needed.
    for (const order of stored.values()) this.put(order);
    await Promise.all(published);
  }

  private put(order: OrderRecord): void {
    this.whileLoading?.orders.set(order.id, order);
    if (isOpen(order.status)) shelve(this.book, order);
    else {
      this.book.get(order.symbol)?.delete(order.id);
      this.traces.forget(order.id);
    }
  }

  private hold(symbol: string, userId: number): void {
    this.whileLoading?.held.push([symbol, userId]);
    let users = this.holders.get(symbol);
    if (!users) this.holders.set(symbol, (users = new Set()));
    users.add(userId);
  }

  /** Values each user marked since the last flush, once: at most one message per user per interval. */
  private async flushPortfolios(): Promise<void> {
    if (this.dirty.size === 0 || this.stopped) return;
    const users = [...this.dirty];
    this.dirty.clear();
    try {
      // Every user due, in one read of the ledger (a few statements, not a few per user).
      const portfolios = await valuePortfolios(this.deps.db, this.deps.store, users, this.deps.rules);
      await Promise.all([...portfolios].map(([userId, portfolio]) => this.publish({ type: 'portfolio', userId, portfolio })));
    } catch (error) {
      this.deps.logger.warn({ err: error, users: users.length }, 'valuing portfolios failed');
    }
  }

  private async loadUntilDone(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        await this.load();
        this.scheduleRefresh();
        return;
      } catch (error) {
        const delay = backoffDelay(attempt, LOAD_RETRY);
        this.deps.logger.warn({ err: error, retryInMs: delay }, 'loading open orders failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
      }
    }
  }

  /**
   * Rebuilds the book and the holders from the database; accepts orders still `new`. What this
   * process accepts, fills or drops while the read is under way is newer than the read: it is laid
   * over the new book, or an order accepted meanwhile would wait for the next refresh.
   */
  private async load(): Promise<void> {
    const meanwhile = { orders: new Map<number, OrderRecord | 'gone'>(), held: [] as [string, number][] };
    this.whileLoading = meanwhile;
    const book = new Map<string, Map<number, OrderRecord>>();
    let holdings: { userId: number; symbol: string }[];
    try {
      for (let order of await this.deps.db.orders.open()) {
        if (order.status === 'new') {
          const accepted = await this.accepts.add(order.id);
          if (!accepted) continue;
          order = accepted;
          await this.publish({ type: 'order', userId: order.userId, order: orderView(order) });
        }
        shelve(book, order);
      }
      holdings = await this.deps.db.orders.holdings();
    } finally {
      this.whileLoading = undefined;
    }
    // From here on synchronous: nothing can change the book between the overlay and the swap.
    for (const [id, order] of meanwhile.orders) {
      for (const orders of book.values()) orders.delete(id);
      if (order !== 'gone' && isOpen(order.status)) shelve(book, order);
    }
    this.book = book;
    this.holders.clear();
    for (const { userId, symbol } of holdings) this.hold(symbol, userId);
    for (const [symbol, userId] of meanwhile.held) this.hold(symbol, userId);
  }

  private scheduleRefresh(): void {
    if (this.stopped) return;
    this.refresher = setTimeout(() => {
      this.track(
        this.load()
          .catch((error: unknown) => this.deps.logger.warn({ err: error }, 'refreshing open orders failed; retrying'))
          .finally(() => this.scheduleRefresh()),
      );
    }, this.deps.refreshMs);
  }

  private track(work: Promise<unknown>): void {
    this.background.add(work);
    void work.finally(() => this.background.delete(work));
  }

  private async publish(event: UserEvent): Promise<void> {
    try {
      await this.deps.userEvents.publish(userChannel(event.userId), event);
    } catch (error) {
      // The change is committed; only the live message is lost (pub/sub is at-most-once).
      this.deps.logger.error({ err: error, type: event.type }, 'publishing a user event failed');
    }
  }
}

/** Puts an open order on its symbol's shelf of `book`. */
function shelve(book: Map<string, Map<number, OrderRecord>>, order: OrderRecord): void {
  let orders = book.get(order.symbol);
  if (!orders) book.set(order.symbol, (orders = new Map()));
  orders.set(order.id, order);
}
