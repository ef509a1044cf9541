import { sql, type Kysely } from 'kysely';
import { admit } from '../../domain/orders/buying-power.js';
import type { BatchOutcome, LockedLedger } from '../../domain/orders/fill-batch.js';
import type { Money } from '../../domain/orders/money.js';
import { OPEN_STATUSES, type OrderRequest, type OrderStatus } from '../../domain/orders/order.js';
import type { FillRecord, OrderRecord } from '../../domain/orders/records.js';
import type { Ledger, OrderRepository, OrderSubmission, SubmitResult } from '../../ports/database.js';
import { lockLedger, writeOutcome } from './fill-ledger.js';
import { toFill, toOrder } from './order-rows.js';
import type { Tables } from './tables.js';

const OPEN = [...OPEN_STATUSES];

const sameRequest = (o: OrderRecord, r: OrderRequest): boolean =>
  o.symbol === r.symbol && o.side === r.side && o.type === r.type && o.quantity === r.quantity && o.limitPrice === r.limitPrice && o.stopPrice === r.stopPrice && o.timeInForce === r.timeInForce;

export class SqlOrderRepository implements OrderRepository {
  constructor(private readonly db: Kysely<Tables>) {}

  async submit(s: OrderSubmission): Promise<SubmitResult> {
    return this.atomically(async (db) => {
      const account = await this.lockAccount(db, s.userId, s.startingCash);
      if (s.idempotencyKey !== undefined) {
        const row = await db.selectFrom('orders').selectAll().where('user_id', '=', s.userId).where('idempotency_key', '=', s.idempotencyKey).executeTakeFirst();
        if (row) {
          const order = toOrder(row);
          if (!sameRequest(order, s.request)) return { ok: false, code: 'IDEMPOTENCY_KEY_REUSED', message: `Idempotency-Key was used for order ${order.id}, which differs from this one.` };
          return { ok: true, order, created: false };
        }
      }
      const needsPrice = s.request.side === 'buy' && s.request.limitPrice === null && s.request.stopPrice === null;
      if (needsPrice && !s.latest) return { ok: false, code: 'NO_PRICE_YET', message: `${s.request.symbol} has no price yet to value a market order at.` };
      // Reservations, shares on sale and the position in one statement (each one waits its turn on PGlite).
      const open = await db
        .selectFrom('orders')
        .select((eb) => [
          eb.fn.coalesce(eb.fn.sum<number>(sql`CASE WHEN side = 'buy' THEN reserved ELSE 0 END`), sql<number>`0`).as('reserved'),
          eb.fn.coalesce(eb.fn.sum<number>(sql`CASE WHEN side = 'sell' AND symbol = ${s.request.symbol} THEN quantity - filled_quantity ELSE 0 END`), sql<number>`0`).as('pending_sells'),
          eb.selectFrom('positions').select('quantity').where('user_id', '=', s.userId).where('symbol', '=', s.request.symbol).as('held'),
        ])
        .where('user_id', '=', s.userId)
        .where('status', 'in', OPEN)
        .executeTakeFirstOrThrow();
      const admission = admit(s.request, { cash: account.cash, reserved: Number(open.reserved), held: open.held ?? 0, pendingSells: Number(open.pending_sells) }, s.latest?.price ?? 0);
      if (!admission.ok) return { ok: false, code: admission.code as 'INSUFFICIENT_FUNDS' | 'INSUFFICIENT_POSITION', message: admission.message };
      const r = s.request;
      const row = await db
        .insertInto('orders')
        .values({
          user_id: s.userId,
          idempotency_key: s.idempotencyKey ?? null,
          symbol: r.symbol,
          side: r.side,
          type: r.type,
          time_in_force: r.timeInForce,
          quantity: r.quantity,
          limit_price: r.limitPrice,
          stop_price: r.stopPrice,
          status: 'new',
          after_seq: s.latest?.seq ?? 0,
          day: s.day,
          reserved: admission.reserve,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { ok: true, order: toOrder(row), created: true };
    });
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

  async recordBatch(outcome: BatchOutcome): Promise<{ orders: OrderRecord[]; fills: FillRecord[] }> {
    return this.atomically((db) => writeOutcome(db, outcome));
  }

  async ledger(userId: number, startingCash: Money, since: number): Promise<Ledger> {
    return this.atomically(async (db) => {
      await db.insertInto('paper_accounts').values({ user_id: userId, cash: startingCash, starting_cash: startingCash }).onConflict((oc) => oc.column('user_id').doNothing()).execute();
      const account = await db.selectFrom('paper_accounts').selectAll().where('user_id', '=', userId).executeTakeFirstOrThrow();
      const open = await db
        .selectFrom('orders')
        .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('reserved'), sql<number>`0`).as('reserved'))
        .where('user_id', '=', userId)
        .where('side', '=', 'buy')
        .where('status', 'in', OPEN)
        .executeTakeFirstOrThrow();
      const rows = await db.selectFrom('positions').selectAll().where('user_id', '=', userId).orderBy('symbol').execute();
      const today = await db
        .selectFrom('fills')
        .select((eb) => [
          'symbol',
          eb.fn.sum<string>(sql`CASE WHEN side = 'buy' THEN quantity ELSE -quantity END`).as('net_quantity'),
          eb.fn.sum<string>(sql`CASE WHEN side = 'buy' THEN -(price * quantity) ELSE price * quantity END`).as('cash_flow'),
        ])
        .where('user_id', '=', userId)
        .where('tick_ts', '>=', new Date(since))
        .groupBy('symbol')
        .orderBy('symbol')
        .execute();
      return {
        cash: Number(account.cash),
        startingCash: Number(account.starting_cash),
        reserved: Number(open.reserved),
        positions: rows.map((r) => ({ symbol: r.symbol, quantity: r.quantity, costBasis: Number(r.cost_basis), realizedPnl: Number(r.realized_pnl) })),
        today: today.map((r) => ({ symbol: r.symbol, netQuantity: Number(r.net_quantity), cashFlow: Number(r.cash_flow) })),
      };
    });
  }

  async reset(userId: number, startingCash: Money): Promise<void> {
    await this.atomically(async (db) => {
      await this.lockAccount(db, userId, startingCash);
      await db.deleteFrom('orders').where('user_id', '=', userId).execute();
      await db.deleteFrom('positions').where('user_id', '=', userId).execute();
      await db.updateTable('paper_accounts').set({ cash: startingCash, starting_cash: startingCash, updated_at: sql`now()` }).where('user_id', '=', userId).execute();
    });
  }

  async holdings(): Promise<{ userId: number; symbol: string }[]> {
    const rows = await this.db.selectFrom('positions').select(['user_id', 'symbol']).where('quantity', '>', 0).execute();
    return rows.map((r) => ({ userId: r.user_id, symbol: r.symbol }));
  }

  /** The account row, created with `startingCash` on first use, locked until the transaction ends. */
  private async lockAccount(db: Kysely<Tables>, userId: number, startingCash: Money): Promise<{ cash: Money }> {
    // One statement: ON CONFLICT DO UPDATE locks the existing row (a no-op update) and returns its
    // latest cash, where INSERT … DO NOTHING then SELECT … FOR UPDATE took two.
    const row = await db
      .insertInto('paper_accounts')
      .values({ user_id: userId, cash: startingCash, starting_cash: startingCash })
      .onConflict((oc) => oc.column('user_id').doUpdateSet((eb) => ({ user_id: eb.ref('excluded.user_id') })))
      .returning('cash')
      .executeTakeFirstOrThrow();
    return { cash: Number(row.cash) };
  }

  /** Joins the caller's transaction, or opens one. */
  private atomically<T>(fn: (db: Kysely<Tables>) => Promise<T>): Promise<T> {
    return this.db.isTransaction ? fn(this.db) : this.db.transaction().execute(fn);
  }
}
