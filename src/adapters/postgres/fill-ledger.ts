import { sql, type Kysely } from 'kysely';
import type { BatchOutcome, LockedLedger } from '../../domain/orders/fill-batch.js';
import { positionKey } from '../../domain/orders/fill-batch.js';
import type { Money } from '../../domain/orders/money.js';
import { OPEN_STATUSES } from '../../domain/orders/order.js';
import type { Position } from '../../domain/orders/portfolio.js';
import type { FillRecord, OrderRecord } from '../../domain/orders/records.js';
import { toFill, toOrder } from './order-rows.js';
import { reservedCash } from './reservations.js';
import type { Tables } from './tables.js';

const OPEN = [...OPEN_STATUSES];

/**
 * Reads what `decideBatch` needs for `orders` (id, owner and symbol as the caller knows them),
 * in the caller's transaction: the owners' account rows locked first, in user id order, then the
 * orders still open, in id order — the order submit and cancel lock in too, so concurrent batches
 * and submissions queue up instead of deadlocking. Four statements whatever the batch's size.
 */
export async function lockLedger(db: Kysely<Tables>, orders: readonly Pick<OrderRecord, 'id' | 'userId' | 'symbol'>[]): Promise<LockedLedger> {
  const empty: LockedLedger = { orders: [], cash: new Map(), reserved: new Map(), positions: new Map() };
  if (orders.length === 0) return empty;
  const users = [...new Set(orders.map((o) => o.userId))].sort((a, b) => a - b);
  const accounts = await db.selectFrom('paper_accounts').select(['user_id', 'cash']).where('user_id', 'in', users).orderBy('user_id').forUpdate().execute();
  const rows = await db.selectFrom('orders').selectAll().where('id', 'in', orders.map((o) => o.id)).where('status', 'in', OPEN).orderBy('id').forUpdate().execute();
  if (rows.length === 0) return empty;
  const reserved = await reservedCash(db, users);
  const symbols = [...new Set(rows.map((r) => r.symbol))];
  const positions = await db.selectFrom('positions').selectAll().where('user_id', 'in', users).where('symbol', 'in', symbols).execute();
  return {
    orders: rows.map(toOrder),
    cash: new Map(accounts.map((a) => [a.user_id, Number(a.cash)])),
    reserved,
    positions: new Map(positions.map((p): [string, Position] => [positionKey(p.user_id, p.symbol), { symbol: p.symbol, quantity: p.quantity, costBasis: Number(p.cost_basis), realizedPnl: Number(p.realized_pnl) }])),
  };
}

/**
 * Writes a batch's outcome in the caller's transaction, one statement per table: the fills (keyed
 * by order and tick seq), the orders, the positions and the cash. A fill already recorded, or an
 * order no longer open or already past the tick, means the batch was decided on stale state: it
 * throws, so the caller's transaction rolls back and nothing of the batch is written.
 */
export async function writeOutcome(db: Kysely<Tables>, outcome: BatchOutcome): Promise<{ orders: OrderRecord[]; fills: FillRecord[] }> {
  if (outcome.steps.length === 0) return { orders: [], fills: [] };
  const filled = outcome.steps.filter((s) => s.match.fill);
  let fills: FillRecord[] = [];
  if (filled.length > 0) {
    const inserted = await db
      .insertInto('fills')
      .values(filled.map(({ before: o, tick, match }) => ({ order_id: o.id, user_id: o.userId, symbol: o.symbol, side: o.side, quantity: match.fill!.quantity, price: match.fill!.price, seq: tick.seq, tick_ts: new Date(tick.ts) })))
      .onConflict((oc) => oc.columns(['order_id', 'seq']).doNothing())
      .returningAll()
      .execute();
    if (inserted.length !== filled.length) throw new Error(`fill batch: ${filled.length - inserted.length} of ${filled.length} fills were recorded before`);
    fills = inserted.map(toFill).sort((a, b) => a.id - b.id);
  }
  const changed = [...outcome.orders.values()];
  // The guard (open, and not yet past the tick) holds under the locks; checked anyway, as the
  // fill key is, so a caller that did not lock cannot write a stale decision.
  const { rows } = await sql<Parameters<typeof toOrder>[0]>`
    UPDATE orders AS o SET
      status = v.status, reason = v.reason, triggered = v.triggered, filled_quantity = v.filled_quantity,
      filled_value = v.filled_value, reserved = v.reserved, after_seq = v.after_seq, updated_at = now()
    FROM (VALUES ${sql.join(changed.map((c) => sql`(${c.id}::integer, ${c.status}::text, ${c.reason}::text, ${c.triggered}::boolean, ${c.filledQuantity}::integer, ${c.filledValue}::bigint, ${c.reserved}::bigint, ${c.afterSeq}::bigint)`))})
      AS v(id, status, reason, triggered, filled_quantity, filled_value, reserved, after_seq)
    WHERE o.id = v.id AND o.status IN (${sql.join(OPEN)}) AND o.after_seq < v.after_seq
    RETURNING o.*`.execute(db);
  if (rows.length !== changed.length) throw new Error(`fill batch: ${changed.length - rows.length} of ${changed.length} orders changed under their locks`);
  if (outcome.positions.size > 0) {
    await db
      .insertInto('positions')
      .values([...outcome.positions.values()].map(({ userId, position: p }) => ({ user_id: userId, symbol: p.symbol, quantity: p.quantity, cost_basis: p.costBasis, realized_pnl: p.realizedPnl })))
      .onConflict((oc) => oc.columns(['user_id', 'symbol']).doUpdateSet((eb) => ({ quantity: eb.ref('excluded.quantity'), cost_basis: eb.ref('excluded.cost_basis'), realized_pnl: eb.ref('excluded.realized_pnl') })))
      .execute();
  }
  if (outcome.cash.size > 0) {
    await sql`
      UPDATE paper_accounts AS a SET cash = v.cash, updated_at = now()
      FROM (VALUES ${sql.join([...outcome.cash].map(([user, cash]: [number, Money]) => sql`(${user}::integer, ${cash}::bigint)`))}) AS v(user_id, cash)
      WHERE a.user_id = v.user_id`.execute(db);
  }
  return { orders: rows.map(toOrder).sort((a, b) => a.id - b.id), fills };
}
