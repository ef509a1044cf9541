import { sql, type Kysely } from 'kysely';
import { Coalescer } from '../../domain/coalescer.js';
import { utcDayStart } from '../../domain/daily-stats.js';
import type { BatchOutcome, LockedLedger } from '../../domain/orders/fill-batch.js';
import type { Money } from '../../domain/orders/money.js';
import { OPEN_STATUSES, type OrderStatus } from '../../domain/orders/order.js';
import type { FillRecord, OrderRecord } from '../../domain/orders/records.js';
import type { Ledger, OrderRepository, OrderSubmission, SubmitResult } from '../../ports/database.js';
import { lockFunds, lockLedger, writeOutcome } from './fill-ledger.js';
import { toFill, toOrder } from './order-rows.js';
import { reservedCash } from './reservations.js';
import { submitBatch } from './submit-batch.js';
import { lockSubmissions } from './submission-locks.js';
import type { Tables } from './tables.js';

const OPEN = [...OPEN_STATUSES];

export class SqlOrderRepository implements OrderRepository {
  constructor(private readonly db: Kysely<Tables>) {}

  /**
   * Concurrent submissions (the API's requests) share one transaction: on the embedded database
   * every statement waits its turn, so a batch's few statements instead of five per order are
   * what lets submissions keep up (see Coalescer). Inside a caller's transaction it runs alone.
   */
  private readonly submits = new Coalescer<OrderSubmission, SubmitResult>((items) => this.db.transaction().execute((db) => submitBatch(db, items)), 200);

  async submit(s: OrderSubmission): Promise<SubmitResult> {
    if (this.db.isTransaction) return (await submitBatch(this.db, [s]))[0]!;
    return this.submits.add(s);
  }

  async get(userId: number, id: number): Promise<OrderRecord | undefined> {
    const row = await this.db.selectFrom('orders').selectAll().where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return row ? toOrder(row) : undefined;
  }

  async list(userId: number, filter: { status?: OrderStatus | 'open'; symbol?: string; limit: number }): Promise<OrderRecord[]> {
    let query = this.db.selectFrom('orders').selectAll().where('user_id', '=', userId);
    if (filter.status === 'open') query = query.where('status', 'in', OPEN);
    else if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    if (filter.symbol !== undefined) query = query.where('symbol', '=', filter.symbol);
    return (await query.orderBy('id', 'desc').limit(filter.limit).execute()).map(toOrder);
  }

  async fills(userId: number, filter: { orderId?: number; limit: number }): Promise<FillRecord[]> {
    let query = this.db.selectFrom('fills').selectAll().where('user_id', '=', userId);
    if (filter.orderId !== undefined) query = query.where('order_id', '=', filter.orderId);
    return (await query.orderBy('id', 'desc').limit(filter.limit).execute()).map(toFill);
  }

  async cancel(userId: number, id: number): Promise<OrderRecord | 'not_found' | 'closed'> {
    const row = await this.db
      .updateTable('orders')
      .set({ status: 'canceled', reason: 'CANCELED_BY_USER', reserved: 0, updated_at: sql`now()` })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('status', 'in', OPEN)
      .returningAll()
      .executeTakeFirst();
    if (row) return toOrder(row);
    return (await this.get(userId, id)) ? 'closed' : 'not_found';
  }

  async accept(ids: readonly number[]): Promise<OrderRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.updateTable('orders').set({ status: 'accepted', updated_at: sql`now()` }).where('id', 'in', ids).where('status', '=', 'new').returningAll().execute();
    return rows.map(toOrder).sort((a, b) => a.id - b.id);
  }

  async open(): Promise<OrderRecord[]> {
    return (await this.db.selectFrom('orders').selectAll().where('status', 'in', OPEN).orderBy('id').execute()).map(toOrder);
  }

  async lockLedger(orders: readonly Pick<OrderRecord, 'id' | 'userId' | 'symbol'>[]): Promise<LockedLedger> {
    return this.atomically((db) => lockLedger(db, orders));
  }

  async lockFunds(users: readonly number[]): Promise<Map<number, Money>> {
    return this.atomically((db) => lockFunds(db, users));
  }

  async recordBatch(outcome: BatchOutcome): Promise<{ orders: OrderRecord[]; fills: FillRecord[] }> {
    return this.atomically((db) => writeOutcome(db, outcome));
  }

  async ledger(userId: number, startingCash: Money, since: number): Promise<Ledger> {
    return (await this.ledgers([userId], startingCash, since)).get(userId)!;
  }

  /** Six statements for any number of users: the orders role values every user due at once. */
  async ledgers(userIds: readonly number[], startingCash: Money, since: number): Promise<Map<number, Ledger>> {
    const users = [...new Set(userIds)].sort((a, b) => a - b);
    if (users.length === 0) return new Map();
    return this.atomically(async (db) => {
      await db.insertInto('paper_accounts').values(users.map((u) => ({ user_id: u, cash: startingCash, starting_cash: startingCash }))).onConflict((oc) => oc.column('user_id').doNothing()).execute();
      const accounts = await db.selectFrom('paper_accounts').selectAll().where('user_id', 'in', users).execute();
      const reserved = await reservedCash(db, users);
      const positions = await db.selectFrom('positions').selectAll().where('user_id', 'in', users).orderBy('user_id').orderBy('symbol').execute();
      // The fill batches' sums per day (fill_days), not today's fills one by one.
      const today = await db
        .selectFrom('fill_days')
        .select((eb) => ['user_id', 'symbol', eb.fn.sum<string>('net_quantity').as('net_quantity'), eb.fn.sum<string>('cash_flow').as('cash_flow')])
        .where('user_id', 'in', users)
        .where('day', '>=', new Date(utcDayStart(since)))
        .groupBy(['user_id', 'symbol'])
        .orderBy('user_id')
        .orderBy('symbol')
        .execute();
      const held = groupBy(positions, (r) => r.user_id);
      const moved = groupBy(today, (r) => r.user_id);
      return new Map(
        accounts.map((account): [number, Ledger] => [
          account.user_id,
          {
            cash: Number(account.cash),
            startingCash: Number(account.starting_cash),
            reserved: reserved.get(account.user_id) ?? 0,
            positions: (held.get(account.user_id) ?? []).map((r) => ({ symbol: r.symbol, quantity: r.quantity, costBasis: Number(r.cost_basis), realizedPnl: Number(r.realized_pnl) })),
            today: (moved.get(account.user_id) ?? []).map((r) => ({ symbol: r.symbol, netQuantity: Number(r.net_quantity), cashFlow: Number(r.cash_flow) })),
          },
        ]),
      );
    });
  }

  async reset(userId: number, startingCash: Money): Promise<void> {
    await this.atomically(async (db) => {
      // The account row, then the submission lock (as a fill batch takes them): no submission
      // admitted against the old cash or shares commits after the reset. An owner with no account
      // has nothing to reset (it opens with the starting cash on first use); opening it here could
      // deadlock with that first submission, which opens it while holding the submission lock.
      const account = await db.selectFrom('paper_accounts').select('user_id').where('user_id', '=', userId).forUpdate().executeTakeFirst();
      if (!account) return;
      await lockSubmissions(db, [userId]);
      await db.deleteFrom('orders').where('user_id', '=', userId).execute();
      await db.deleteFrom('positions').where('user_id', '=', userId).execute();
      await db.deleteFrom('fill_days').where('user_id', '=', userId).execute();
      await db.updateTable('paper_accounts').set({ cash: startingCash, starting_cash: startingCash, updated_at: sql`now()` }).where('user_id', '=', userId).execute();
    });
  }

  async holdings(): Promise<{ userId: number; symbol: string }[]> {
    const rows = await this.db.selectFrom('positions').select(['user_id', 'symbol']).where('quantity', '>', 0).execute();
    return rows.map((r) => ({ userId: r.user_id, symbol: r.symbol }));
  }

  /** Joins the caller's transaction, or opens one. */
  private atomically<T>(fn: (db: Kysely<Tables>) => Promise<T>): Promise<T> {
    return this.db.isTransaction ? fn(this.db) : this.db.transaction().execute(fn);
  }
}

function groupBy<T>(rows: readonly T[], key: (row: T) => number): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const row of rows) {
    const list = out.get(key(row));
    if (list) list.push(row);
    else out.set(key(row), [row]);
  }
  return out;
}
