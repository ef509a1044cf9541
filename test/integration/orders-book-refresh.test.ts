import { afterEach, describe, expect, it } from 'vitest';
import { MemoryEventLog } from '../../src/adapters/memory/memory-event-log.js';
import { MemoryOrderQueue } from '../../src/adapters/memory/memory-order-queue.js';
import { MemoryPriceStore } from '../../src/adapters/memory/memory-price-store.js';
import { MemoryPubSub } from '../../src/adapters/memory/memory-pubsub.js';
import { orderCommandCodec } from '../../src/adapters/order-command-codec.js';
import { PGliteDialect } from '../../src/adapters/postgres/pglite-dialect.js';
import { PGliteThread } from '../../src/adapters/postgres/pglite-thread.js';
import { SqlDatabase } from '../../src/adapters/postgres/sql-database.js';
import { userChannel, type UserEvent } from '../../src/domain/accounts/user-events.js';
import { utcDayStart } from '../../src/domain/daily-stats.js';
import type { OrderCommand } from '../../src/domain/orders/commands.js';
import type { OrderRecord } from '../../src/domain/orders/records.js';
import type { Tick } from '../../src/domain/tick.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { OrdersService } from '../../src/services/orders.js';
import { waitFor } from '../support/wait.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** $1,000.00 in ledger units (1/10,000 USD). */
const THOUSAND = 10_000_000;
/** A tick of AAPL at `price` dollars. */
const tick = (seq: number, price: number): Tick => ({ symbol: 'AAPL', seq, price, size: 100, ts: Date.now(), source: 'test' });

async function embeddedDatabase(): Promise<SqlDatabase> {
  const thread = new PGliteThread(undefined);
  await thread.ready();
  const db = new SqlDatabase({ kind: 'pglite', open: async () => ({ dialect: new PGliteDialect(thread), close: async () => {} }) });
  await db.start();
  cleanups.push(async () => {
    await db.close();
    await thread.close();
  });
  return db;
}

/** The orders role on `db`, telling `events` what it publishes for `userId`; stopped after the test (after `beforeStop`). */
async function ordersRole(db: SqlDatabase, userId: number, refreshMs: number, beforeStop: () => void = () => {}): Promise<{ service: OrdersService; events: UserEvent[] }> {
  const events: UserEvent[] = [];
  const userEvents = new MemoryPubSub<UserEvent>();
  const service = new OrdersService({
    log: new MemoryEventLog<Tick>({ partitions: 1, retention: 1_000 }),
    queue: new MemoryOrderQueue<OrderCommand>(orderCommandCodec, { maxAttempts: 3, baseDelayMs: 10 }),
    db,
    store: new MemoryPriceStore({ historyLimit: 10, candleLimit: 10 }),
    userEvents,
    refreshMs,
    portfolioIntervalMs: 60_000,
    rules: { startingCash: THOUSAND, lotSize: 1 },
    maxBatch: 100,
    metrics: createMetrics({ defaultMetrics: false }),
    logger: createLogger({ level: 'silent', format: 'json' }),
  });
  await userEvents.subscribe(userChannel(userId), (event) => events.push(event));
  await service.start();
  cleanups.push(async () => {
    beforeStop();
    await service.stop();
  });
  return { service, events };
}

/** A market buy of one AAPL share, stored as the API stores it (`new`). */
async function submitMarketBuy(db: SqlDatabase, userId: number): Promise<OrderRecord> {
  const submitted = await db.orders.submit({ userId, request: { symbol: 'AAPL', side: 'buy', type: 'market', quantity: 1, limitPrice: null, stopPrice: null, timeInForce: 'day' }, idempotencyKey: undefined, latest: { price: 1_000_000, seq: 1 }, day: utcDayStart(Date.now()), startingCash: THOUSAND });
  if (!submitted.ok) throw new Error(submitted.code);
  return submitted.order;
}

/**
 * The orders role re-reads open orders every refresh. An order accepted while such a read is under
 * way is newer than what the read returns: the rebuilt book must keep it, or it waits a whole
 * refresh interval (a second by default) for the fill its next tick should have made.
 */
describe('orders role: orders arriving during a refresh or twice at once', () => {
  it('keeps an order accepted during a refresh, and fills it on the next tick', async () => {
    const db = await embeddedDatabase();
    const user = (await db.accounts.create('refresh-race', 'hash'))!;
    // The first refresh's read of open orders is held until the test lets it go (what it returns
    // was read before); later ones until the test ends, so none of them repairs the book.
    let reads = 0;
    let release: () => void = () => {};
    let holding: Promise<void> | undefined;
    let end: () => void = () => {};
    const ended = new Promise<void>((resolve) => (end = resolve));
    const open = db.orders.open.bind(db.orders);
    db.orders.open = async () => {
      const snapshot = await open();
      if (++reads === 2) {
        holding = new Promise<void>((resolve) => (release = resolve));
        await holding;
      } else if (reads > 2) await ended;
      return snapshot;
    };
    const { service, events } = await ordersRole(db, user.id, 50, () => end());
    await waitFor(() => holding !== undefined, 'a refresh reading open orders');

    const order = await submitMarketBuy(db, user.id);
    await service.handleCommand({ id: 'submit', body: { kind: 'submit', orderId: order.id }, attempt: 1 });
    release();
    await waitFor(() => reads > 2, 'the held refresh to end and the next to begin'); // which is held

    await service.handleTicks([{ key: 'AAPL', value: tick(2, 101), partition: 0, offset: '0' }]);
    const orderEvents = events.flatMap((e) => (e.type === 'order' ? [e.order as unknown as OrderRecord] : []));
    expect(orderEvents.map((o) => `${o.status} ${o.reason ?? ''}`)).toEqual(['accepted ', 'filled ']);
    expect((await db.orders.get(user.id, order.id))?.status).toBe('filled');
  });

  it('tells the owner once when one order is accepted by two deliveries of its command at once', async () => {
    const db = await embeddedDatabase();
    const user = (await db.accounts.create('twice-accepted', 'hash'))!;
    const { service, events } = await ordersRole(db, user.id, 3_600_000);
    const order = await submitMarketBuy(db, user.id);
    const delivery = { id: 'submit', body: { kind: 'submit' as const, orderId: order.id }, attempt: 1 };
    // Both in the same turn, so they share one accept batch.
    await Promise.all([service.handleCommand(delivery), service.handleCommand({ ...delivery, attempt: 2 })]);
    const statuses = events.flatMap((e) => (e.type === 'order' ? [(e.order as unknown as OrderRecord).status] : []));
    expect(statuses).toEqual(['accepted']);
  });
});
