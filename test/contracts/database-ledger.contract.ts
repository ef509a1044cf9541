import { beforeAll, describe, expect, it } from 'vitest';
import { utcDayStart } from '../../src/domain/daily-stats.js';
import { decideBatch } from '../../src/domain/orders/fill-batch.js';
import { decideUnderLocks } from '../../src/services/fill-decision.js';
import type { OrderRequest } from '../../src/domain/orders/order.js';
import type { OrderRecord } from '../../src/domain/orders/records.js';
import type { Tick } from '../../src/domain/tick.js';
import type { Database, OrderSubmission, Repositories, SubmitResult } from '../../src/ports/database.js';
import { contractSuite, type DatabaseFactory } from './database.contract.js';

const T0 = Date.UTC(2024, 0, 2, 15, 0, 0);
const DAY = utcDayStart(T0);
/** $1,000.00 in ledger units (1/10,000 USD). */
const THOUSAND = 10_000_000;

const limitBuy = (symbol: string, quantity: number, limitPrice: number): OrderRequest => ({ symbol, side: 'buy', type: 'limit', quantity, limitPrice, stopPrice: null, timeInForce: 'gtc' });
const limitSell = (symbol: string, quantity: number, limitPrice: number): OrderRequest => ({ symbol, side: 'sell', type: 'limit', quantity, limitPrice, stopPrice: null, timeInForce: 'gtc' });
const tick = (symbol: string, seq: number, price: number, size: number): Tick => ({ symbol, seq, price, size, ts: T0 + seq * 1000, source: 'contract' });

const submitted = (r: SubmitResult): OrderRecord => {
  if (!r.ok) throw new Error(`submission refused: ${r.code} ${r.message}`);
  return r.order;
};

/**
 * The "Paper trading ledger" promises of src/ports/database.ts, for any engine. Fills go through
 * the port as the orders role writes them: `decideUnderLocks` (lockLedger, decideBatch), `recordBatch` in one
 * transaction. Expected money is written out by hand, so the arithmetic is checked, not re-run.
 */
export function ledgerContract(name: string, factory: DatabaseFactory): void {
  describe(`Database ledger contract: ${name}`, () => {
    const suite = contractSuite(factory, 'l');
    const { run, newUser, another } = suite;
    let db: Database;
    beforeAll(() => {
      db = suite.fixture.db;
    });
    const submission = (userId: number, request: OrderRequest, over: Partial<OrderSubmission> = {}): OrderSubmission => ({
      userId,
      request,
      idempotencyKey: undefined,
      latest: { price: request.limitPrice ?? 1_000_000, seq: 1 },
      day: DAY,
      startingCash: THOUSAND,
      ...over,
    });
    /** One batch as the orders role writes it: lock, decide, record, in one transaction. */
    const fill = (on: Database, orders: readonly OrderRecord[], ticks: readonly Tick[]) =>
      on.transaction(async (tx: Repositories) => tx.orders.recordBatch((await decideUnderLocks(tx.orders, orders, ticks)).outcome));


    describe('submit: buying power and holdings', () => {
      it('refuses a buy beyond buying power with a stable code and stores nothing', async () => {
        const user = await newUser();
        // 11 × $100.00 > $1,000.00.
        const refused = await db.orders.submit(submission(user.id, limitBuy('AAPL', 11, 1_000_000)));
        expect(refused).toMatchObject({ ok: false, code: 'INSUFFICIENT_FUNDS' });
        expect(await db.orders.list(user.id, { limit: 10 })).toEqual([]);
        expect(await db.orders.ledger(user.id, THOUSAND, DAY)).toMatchObject({ cash: THOUSAND, startingCash: THOUSAND, reserved: 0, positions: [] });
      });

      it('holds back cash for open buys, and a cancel releases it', async () => {
        const user = await newUser();
        const order = submitted(await db.orders.submit(submission(user.id, limitBuy('AAPL', 10, 1_000_000))));
        expect(order).toMatchObject({ status: 'new', reserved: THOUSAND, userId: user.id });
        expect(await db.orders.ledger(user.id, THOUSAND, DAY)).toMatchObject({ cash: THOUSAND, reserved: THOUSAND });
        // All the cash is held back: even $0.01 more is refused.
        expect(await db.orders.submit(submission(user.id, limitBuy('MSFT', 1, 100)))).toMatchObject({ ok: false, code: 'INSUFFICIENT_FUNDS' });
        expect(await db.orders.cancel(user.id, order.id)).toMatchObject({ id: order.id, status: 'canceled', reserved: 0 });
        expect((await db.orders.ledger(user.id, THOUSAND, DAY)).reserved).toBe(0);
        expect(await db.orders.submit(submission(user.id, limitBuy('MSFT', 1, 100)))).toMatchObject({ ok: true, created: true });
      });

      it('refuses a sell beyond the position with a stable code', async () => {
        const user = await newUser();
        expect(await db.orders.submit(submission(user.id, limitSell('AAPL', 1, 1_000_000)))).toMatchObject({ ok: false, code: 'INSUFFICIENT_POSITION' });
        const buy = submitted(await db.orders.submit(submission(user.id, limitBuy('AAPL', 5, 1_000_000))));
        await fill(db, [buy], [tick('AAPL', 2, 100, 5)]);
        expect(await db.orders.submit(submission(user.id, limitSell('AAPL', 6, 1_000_000)))).toMatchObject({ ok: false, code: 'INSUFFICIENT_POSITION' });
        expect(await db.orders.submit(submission(user.id, limitSell('AAPL', 3, 1_000_000)))).toMatchObject({ ok: true, created: true });
        // Shares an open sell will take are no longer there to sell again.
        expect(await db.orders.submit(submission(user.id, limitSell('AAPL', 3, 1_000_000)))).toMatchObject({ ok: false, code: 'INSUFFICIENT_POSITION' });
        expect(await db.orders.submit(submission(user.id, limitSell('AAPL', 2, 1_000_000)))).toMatchObject({ ok: true, created: true });
      });

      it('refuses a market buy with no price to value it at', async () => {
        const user = await newUser();
        const market: OrderRequest = { symbol: 'AAPL', side: 'buy', type: 'market', quantity: 1, limitPrice: null, stopPrice: null, timeInForce: 'day' };
        expect(await db.orders.submit(submission(user.id, market, { latest: undefined }))).toMatchObject({ ok: false, code: 'NO_PRICE_YET' });
        expect(await db.orders.list(user.id, { limit: 10 })).toEqual([]);
      });

      it('concurrent submissions, from two connections, cannot spend the same cash twice', async () => {
        const other = await another();
        // A few rounds, each on a fresh account: a missing lock shows in any one of them.
        for (let round = 0; round < 4; round++) {
          const user = await newUser();
          // The account exists already, so the race is only on the submission lock.
          await db.orders.ledger(user.id, THOUSAND, DAY);
          // Each needs $400.00 of the $1,000.00: only two fit, whoever comes first.
          const results = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? db : other).orders.submit(submission(user.id, limitBuy('AAPL', 4, 1_000_000)))));
          expect(results.filter((r) => r.ok)).toHaveLength(2);
          expect(results.filter((r) => !r.ok).map((r) => (r.ok ? undefined : r.code))).toEqual(Array(4).fill('INSUFFICIENT_FUNDS'));
          expect(await db.orders.list(user.id, { status: 'open', limit: 10 })).toHaveLength(2);
          expect(await db.orders.ledger(user.id, THOUSAND, DAY)).toMatchObject({ cash: THOUSAND, reserved: 8_000_000 });
        }
      });
    });

    describe('submit: Idempotency-Key', () => {
      it('the same key twice returns the same order, stored once', async () => {
        const user = await newUser();
        const key = `k-${run}`;
        const first = await db.orders.submit(submission(user.id, limitBuy('AAPL', 1, 1_000_000), { idempotencyKey: key }));
        const again = await db.orders.submit(submission(user.id, limitBuy('AAPL', 1, 1_000_000), { idempotencyKey: key }));
        expect(first).toMatchObject({ ok: true, created: true });
        expect(again).toEqual({ ok: true, created: false, order: submitted(first) });
        expect(await db.orders.list(user.id, { limit: 10 })).toHaveLength(1);
        expect((await db.orders.ledger(user.id, THOUSAND, DAY)).reserved).toBe(1_000_000);
        // A different order under a used key is refused, not created.
        expect(await db.orders.submit(submission(user.id, limitBuy('AAPL', 2, 1_000_000), { idempotencyKey: key }))).toMatchObject({ ok: false, code: 'IDEMPOTENCY_KEY_REUSED' });
        // Keys are the owner's: another user's same key is a new order.
        const stranger = await newUser();
        const theirs = submitted(await db.orders.submit(submission(stranger.id, limitBuy('AAPL', 1, 1_000_000), { idempotencyKey: key })));
        expect(theirs.id).not.toBe(submitted(first).id);
      });

      it('concurrent submissions with one key, from two connections, create one order', async () => {
        const user = await newUser();
        const other = await another();
        const results = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? db : other).orders.submit(submission(user.id, limitBuy('AAPL', 1, 1_000_000), { idempotencyKey: `race-${run}` }))));
        const orders = results.map(submitted);
        expect(new Set(orders.map((o) => o.id)).size).toBe(1);
        expect(results.filter((r) => r.ok && r.created)).toHaveLength(1);
        expect(await db.orders.list(user.id, { limit: 10 })).toHaveLength(1);
      });
    });

    describe('fills: once per (order, tick seq)', () => {
      it('recording a fill again throws and changes nothing', async () => {
        const user = await newUser();
        const order = submitted(await db.orders.submit(submission(user.id, limitBuy('AAPL', 10, 1_000_000))));
        const outcome = await db.transaction(async (tx) => decideBatch(await tx.orders.lockLedger([order]), [tick('AAPL', 5, 99, 4)]));
        const written = await db.orders.recordBatch(outcome);
        expect(written.fills).toEqual([expect.objectContaining({ orderId: order.id, seq: 5, quantity: 4, price: 990_000 })]);
        const before = await db.orders.ledger(user.id, THOUSAND, DAY);
        // 4 × $99.00 paid once.
        expect(before.cash).toBe(THOUSAND - 3_960_000);

        await expect(db.orders.recordBatch(outcome)).rejects.toThrow();
        expect(await db.orders.ledger(user.id, THOUSAND, DAY)).toEqual(before);
        expect(await db.orders.fills(user.id, { orderId: order.id, limit: 10 })).toHaveLength(1);
        expect(await db.orders.get(user.id, order.id)).toMatchObject({ filledQuantity: 4, status: 'partially_filled' });
      });

      it('a batch with one fill already recorded writes nothing of the batch', async () => {
        const [alice, bob] = [await newUser(), await newUser()];
        const a = submitted(await db.orders.submit(submission(alice.id, limitBuy('AAPL', 2, 1_000_000))));
        const b = submitted(await db.orders.submit(submission(bob.id, limitBuy('AAPL', 2, 1_000_000))));
        // Both decided on the state before either was written, as a replaying process would.
        const stale = await db.transaction(async (tx) => tx.orders.lockLedger([a, b]));
        const onlyA = decideBatch({ ...stale, orders: stale.orders.filter((o) => o.id === a.id) }, [tick('AAPL', 5, 100, 10)]);
        const both = decideBatch(stale, [tick('AAPL', 5, 100, 10)]);
        expect(both.steps.filter((s) => s.match.fill)).toHaveLength(2);
        await db.orders.recordBatch(onlyA);

        await expect(db.transaction((tx) => tx.orders.recordBatch(both))).rejects.toThrow();
        expect(await db.orders.fills(bob.id, { limit: 10 })).toEqual([]);
        expect(await db.orders.get(bob.id, b.id)).toMatchObject({ status: 'new', filledQuantity: 0 });
        expect(await db.orders.ledger(bob.id, THOUSAND, DAY)).toMatchObject({ cash: THOUSAND, reserved: 2_000_000, positions: [] });
        expect(await db.orders.fills(alice.id, { limit: 10 })).toHaveLength(1);
        expect(await db.orders.ledger(alice.id, THOUSAND, DAY)).toMatchObject({ cash: THOUSAND - 2_000_000, reserved: 0, positions: [{ symbol: 'AAPL', quantity: 2, costBasis: 2_000_000, realizedPnl: 0 }] });
      });

      it('one tick seen by two processes at once fills once', async () => {
        const user = await newUser();
        const other = await another();
        const order = submitted(await db.orders.submit(submission(user.id, limitBuy('AAPL', 3, 1_000_000))));
        const ticks = [tick('AAPL', 7, 100, 10)];
        const settled = await Promise.allSettled(Array.from({ length: 4 }, (_, i) => fill(i % 2 === 0 ? db : other, [order], ticks)));
        // Whoever comes second either sees the order already past the tick or is refused.
        expect(settled.flatMap((s) => (s.status === 'fulfilled' ? s.value.fills : []))).toHaveLength(1);
        expect(await db.orders.fills(user.id, { limit: 10 })).toHaveLength(1);
        expect(await db.orders.ledger(user.id, THOUSAND, DAY)).toMatchObject({ cash: THOUSAND - 3_000_000, positions: [{ symbol: 'AAPL', quantity: 3, costBasis: 3_000_000 }] });
      });
      it('a buy filling past its collar never spends what a submission held back meanwhile', async () => {
        const user = await newUser();
        // A market buy of 5 at $100 holds back 5 × $105 = $525 of the $1,000.
        const market = submitted(await db.orders.submit(submission(user.id, { symbol: 'AAPL', side: 'buy', type: 'market', quantity: 5, limitPrice: null, stopPrice: null, timeInForce: 'gtc' })));
        expect(market.reserved).toBe(5_250_000);
        // PostgreSQL: from another connection while the batch holds the account and order locks — it
        // must not wait for them (or this hangs). PGlite's one connection takes turns: in the batch's own transaction.
        const other = suite.fixture.concurrent ? await another() : undefined;
        let meanwhile: SubmitResult | undefined;
        const written = await db.transaction(async (tx: Repositories) => {
          const racing = {
            lockLedger: async (orders: readonly OrderRecord[]) => {
              const ledger = await tx.orders.lockLedger(orders);
              // $400 of the $475 still free, admitted against the cash the batch is about to spend.
              meanwhile = await (other ?? tx).orders.submit(submission(user.id, limitBuy('MSFT', 4, 1_000_000)));
              return ledger;
            },
            lockFunds: (users: readonly number[]) => tx.orders.lockFunds(users),
          };
          // The price gaps to $190: on the reservations read first the order could pay 5 × $190; on
          // those after the submission, $1,000 − $400 = $600 buys 3, the rest canceled for funds.
          return tx.orders.recordBatch((await decideUnderLocks(racing, [market], [tick('AAPL', 5, 190, 100)])).outcome);
        });
        expect(meanwhile).toMatchObject({ ok: true, created: true });
        expect(written.fills.map((f) => [f.quantity, f.price])).toEqual([[3, 1_900_000]]);
        expect(written.orders).toMatchObject([{ id: market.id, status: 'canceled', reason: 'INSUFFICIENT_FUNDS', filledQuantity: 3, reserved: 0 }]);
        // $1,000 − $570 = $430 of cash, $400 of it held back: never less than what is held back.
        expect(await db.orders.ledger(user.id, THOUSAND, DAY)).toMatchObject({ cash: 4_300_000, reserved: 4_000_000 });
      });
      it('while a batch spending past a collar holds the funds, a submission waits and is admitted against what it left', async () => {
        const user = await newUser();
        const market = submitted(await db.orders.submit(submission(user.id, { symbol: 'AAPL', side: 'buy', type: 'market', quantity: 5, limitPrice: null, stopPrice: null, timeInForce: 'gtc' })));
        const other = suite.fixture.concurrent ? await another() : undefined;
        let late: Promise<SubmitResult> | undefined;
        await db.transaction(async (tx: Repositories) => {
          // 5 × $190 = $950 of the $1,000, where $525 was held back: this batch takes the owner's funds.
          const { outcome } = await decideUnderLocks(tx.orders, [market], [tick('AAPL', 5, 190, 100)]);
          expect(outcome.steps.map((s) => [s.match.fill?.quantity, s.after.status])).toEqual([[5, 'filled']]);
          if (other) {
            // From another connection, $400 more: it must wait for this batch, not be admitted
            // meanwhile against the $475 that was free before it (given time to, if it could).
            late = other.orders.submit(submission(user.id, limitBuy('MSFT', 4, 1_000_000)));
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
          return tx.orders.recordBatch(outcome);
        });
        expect(await (late ?? db.orders.submit(submission(user.id, limitBuy('MSFT', 4, 1_000_000))))).toMatchObject({ ok: false, code: 'INSUFFICIENT_FUNDS' });
        expect(await db.orders.ledger(user.id, THOUSAND, DAY)).toMatchObject({ cash: 500_000, reserved: 0 });
      });
    });

    describe('fills: exact money', () => {
      it('cash, average cost and realized P&L are exact integers of 1/10,000 USD', async () => {
        const user = await newUser();
        const start = 10 * THOUSAND;
        const open = (r: OrderRequest, seq: number) => db.orders.submit(submission(user.id, r, { startingCash: start, latest: { price: r.limitPrice!, seq } })).then(submitted);

        const first = await open(limitBuy('AAPL', 10, 1_000_000), 1);
        await fill(db, [first], [tick('AAPL', 2, 99.5, 10)]); // pays 10 × 995,000
        const second = await open(limitBuy('AAPL', 5, 1_020_000), 2);
        await fill(db, [second], [tick('AAPL', 3, 101.25, 5)]); // pays 5 × 1,012,500
        const sell = await open(limitSell('AAPL', 4, 1_020_000), 3);
        await fill(db, [sell], [tick('AAPL', 4, 102.37, 4)]); // gets 4 × 1,023,700

        // Basis 9,950,000 + 5,062,500 = 15,012,500 for 15 shares; 4 sold carry
        // 15,012,500 × 4 / 15 = 4,003,333.33 → 4,003,333; realized 4,094,800 − 4,003,333.
        const ledger = await db.orders.ledger(user.id, start, DAY);
        expect(ledger.cash).toBe(100_000_000 - 9_950_000 - 5_062_500 + 4_094_800);
        expect(ledger.reserved).toBe(0);
        expect(ledger.positions).toEqual([{ symbol: 'AAPL', quantity: 11, costBasis: 11_009_167, realizedPnl: 91_467 }]);
        expect(ledger.today).toEqual([{ symbol: 'AAPL', netQuantity: 11, cashFlow: -9_950_000 - 5_062_500 + 4_094_800 }]);
        expect(await db.orders.get(user.id, sell.id)).toMatchObject({ status: 'filled', filledQuantity: 4, filledValue: 4_094_800 });
        expect((await db.orders.ledgers([user.id], start, DAY)).get(user.id)).toEqual(ledger);
        // A fill on a tick of the day before counts in the position, not in today's sums.
        const late = await open(limitBuy('MSFT', 2, 500_000), 5);
        await fill(db, [late], [{ ...tick('MSFT', 6, 50, 2), ts: DAY - 3_600_000 }]);
        expect((await db.orders.ledger(user.id, start, DAY)).today).toEqual(ledger.today);
        expect((await db.orders.ledger(user.id, start, DAY - 86_400_000)).today).toEqual([...ledger.today, { symbol: 'MSFT', netQuantity: 2, cashFlow: -1_000_000 }]);
      });
    });

    describe('accept, holdings and reset', () => {
      it('accept moves only new orders; holdings lists what is held; reset starts the account over', async () => {
        const user = await newUser();
        const [a, b] = [
          submitted(await db.orders.submit(submission(user.id, limitBuy('AAPL', 2, 1_000_000)))),
          submitted(await db.orders.submit(submission(user.id, limitBuy('MSFT', 1, 1_000_000)))),
        ];
        await db.orders.cancel(user.id, b.id);
        expect((await db.orders.accept([a.id, b.id])).map((o) => [o.id, o.status])).toEqual([[a.id, 'accepted']]);
        expect(await db.orders.accept([a.id])).toEqual([]);
        expect((await db.orders.open()).filter((o) => o.userId === user.id).map((o) => o.id)).toEqual([a.id]);

        await fill(db, [a], [tick('AAPL', 5, 100, 2)]);
        expect((await db.orders.holdings()).filter((h) => h.userId === user.id)).toEqual([{ userId: user.id, symbol: 'AAPL' }]);

        await db.orders.reset(user.id, 2 * THOUSAND);
        expect(await db.orders.ledger(user.id, THOUSAND, DAY)).toEqual({ cash: 2 * THOUSAND, startingCash: 2 * THOUSAND, reserved: 0, positions: [], today: [] });
        expect(await db.orders.list(user.id, { limit: 10 })).toEqual([]);
        expect(await db.orders.fills(user.id, { limit: 10 })).toEqual([]);
        expect((await db.orders.holdings()).filter((h) => h.userId === user.id)).toEqual([]);
      });

      it('reset of an owner with no account yet opens none; the first order opens it with the starting cash', async () => {
        const user = await newUser();
        await db.orders.reset(user.id, 2 * THOUSAND);
        const order = submitted(await db.orders.submit(submission(user.id, limitBuy('AAPL', 3, 1_000_000), { startingCash: 3 * THOUSAND })));
        expect(order.reserved).toBe(3_000_000);
        expect(await db.orders.ledger(user.id, THOUSAND, DAY)).toMatchObject({ cash: 3 * THOUSAND, startingCash: 3 * THOUSAND, reserved: 3_000_000 });
      });
    });

    describe('ownership', () => {
      it('another user’s order behaves like one that does not exist', async () => {
        const [owner, stranger] = [await newUser(), await newUser()];
        const order = submitted(await db.orders.submit(submission(owner.id, limitBuy('AAPL', 2, 1_000_000))));
        await fill(db, [order], [tick('AAPL', 5, 100, 1)]);
        const missing = order.id + 1_000_000;
        expect(await db.orders.get(stranger.id, order.id)).toBeUndefined();
        expect(await db.orders.get(stranger.id, missing)).toBeUndefined();
        expect(await db.orders.cancel(stranger.id, order.id)).toBe('not_found');
        expect(await db.orders.cancel(stranger.id, missing)).toBe('not_found');
        expect(await db.orders.list(stranger.id, { limit: 10 })).toEqual([]);
        expect(await db.orders.fills(stranger.id, { orderId: order.id, limit: 10 })).toEqual([]);
        // Untouched for its owner, whose cancel works once.
        expect(await db.orders.get(owner.id, order.id)).toMatchObject({ status: 'partially_filled', filledQuantity: 1 });
        expect(await db.orders.fills(owner.id, { orderId: order.id, limit: 10 })).toHaveLength(1);
        expect(await db.orders.cancel(owner.id, order.id)).toMatchObject({ status: 'canceled' });
        expect(await db.orders.cancel(owner.id, order.id)).toBe('closed');
      });
    });
  });
}
