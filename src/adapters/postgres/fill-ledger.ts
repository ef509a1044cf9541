import { sql, type Kysely } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { BatchOutcome, LockedLedger } from '../../domain/orders/fill-batch.js';
import { positionKey } from '../../domain/orders/fill-batch.js';
import type { Money } from '../../domain/orders/money.js';
import { OPEN_STATUSES } from '../../domain/orders/order.js';
import type { Position } from '../../domain/orders/portfolio.js';
import type { FillRecord, OrderRecord } from '../../domain/orders/records.js';
import { fillFromJson, orderFromJson, type JsonRow } from './order-rows.js';
import { reservedCash, reservedCashQuery, reservedMap } from './reservations.js';
import { lockSubmissions } from './submission-locks.js';
import type { FillRow, OrderRow, Tables } from './tables.js';

const OPEN = [...OPEN_STATUSES];

/**
 * Reads what `decideBatch` needs for `orders` (id, owner and symbol as the caller knows them),
 * in the caller's transaction: the owners' account rows locked first, in user id order, then the
 * orders still open, in id order — the order reset locks in too, so concurrent batches and resets
 * queue up instead of deadlocking. Submissions take the owners' submission locks instead, so they
 * never wait for a batch (see `lockFunds`). Two statements whatever the batch's size: each
 * statement under the locks is time other batches of the same owners wait.
 */
export async function lockLedger(db: Kysely<Tables>, orders: readonly Pick<OrderRecord, 'id' | 'userId' | 'symbol'>[]): Promise<LockedLedger> {
  const empty: LockedLedger = { orders: [], cash: new Map(), reserved: new Map(), positions: new Map() };
  if (orders.length === 0) return empty;
  const users = [...new Set(orders.map((o) => o.userId))].sort((a, b) => a - b);
  // Both locks in one statement, accounts first: the orders' filter waits on the accounts' count,
  // so every account row is locked before the first order row is. A row changed while waiting is
  // read as committed (READ COMMITTED re-reads a row it had to wait for).
  const locked = await sql<{ accounts: { user_id: number; cash: number }[]; orders: JsonRow<OrderRow>[] }>`
    WITH accounts AS (
      SELECT user_id, cash FROM paper_accounts WHERE user_id IN (${sql.join(users)}) ORDER BY user_id FOR UPDATE),
    open_orders AS (
      SELECT * FROM orders
      WHERE id IN (${sql.join(orders.map((o) => o.id))}) AND status IN (${sql.join(OPEN)}) AND (SELECT count(*) FROM accounts) >= 0
      ORDER BY id FOR UPDATE)
    SELECT (SELECT coalesce(json_agg(accounts), '[]') FROM accounts) AS accounts,
           (SELECT coalesce(json_agg(open_orders ORDER BY id), '[]') FROM open_orders) AS orders`.execute(db);
  const { accounts, orders: rows } = locked.rows[0]!;
  if (rows.length === 0) return empty;
  const symbols = [...new Set(rows.map((r) => r.symbol))];
  // Both reads in one statement, after the locks: positions are what the locks guard. Reservations
  // are not (submissions do not take the account rows): a submission may add to them after this
  // read, which only matters to a batch lowering buying power — it calls `lockFunds` and reads again.
  const read = await db
    .selectNoFrom([
      jsonArrayFrom(reservedCashQuery(db, users)).as('reserved'),
      jsonArrayFrom(db.selectFrom('positions').select(['user_id', 'symbol', 'quantity', 'cost_basis', 'realized_pnl']).where('user_id', 'in', users).where('symbol', 'in', symbols)).as('positions'),
    ])
    .executeTakeFirstOrThrow();
  return {
    orders: rows.map(orderFromJson),
    cash: new Map(accounts.map((a) => [a.user_id, Number(a.cash)])),
    reserved: reservedMap(read.reserved),
    positions: new Map(read.positions.map((p): [string, Position] => [positionKey(p.user_id, p.symbol), { symbol: p.symbol, quantity: p.quantity, costBasis: Number(p.cost_basis), realizedPnl: Number(p.realized_pnl) }])),
  };
}

/**
 * For a batch that lowers these owners' buying power (`spendsPastReservations`): their submission
 * locks, taken after the account rows `lockLedger` holds (the order a reset takes them in too),
 * and what their open buys hold back now — no submission of theirs can add to it until the
 * transaction ends. Owners with no open buy read as 0.
 */
export async function lockFunds(db: Kysely<Tables>, users: readonly number[]): Promise<Map<number, Money>> {
  await lockSubmissions(db, users);
  const reserved = await reservedCash(db, users);
  return new Map(users.map((u) => [u, reserved.get(u) ?? 0]));
}

/**
 * Writes a batch's outcome in the caller's transaction, in one statement (one round trip under
 * the locks): the fills (keyed by order and tick seq), the orders, the positions and the cash. A
 * fill already recorded, or an order no longer open or already past the tick, means the batch was
 * decided on stale state: it throws, so the caller's transaction rolls back and nothing is written.
 */
export async function writeOutcome(db: Kysely<Tables>, outcome: BatchOutcome): Promise<{ orders: OrderRecord[]; fills: FillRecord[] }> {
  if (outcome.steps.length === 0) return { orders: [], fills: [] };
  const filled = outcome.steps.filter((s) => s.match.fill);
  const changed = [...outcome.orders.values()];
  // One statement: data-modifying WITH queries all run, once, whether the SELECT reads them or not.
  const writes = [
    sql`changed AS (
      UPDATE orders AS o SET
        status = v.status, reason = v.reason, triggered = v.triggered, filled_quantity = v.filled_quantity,
        filled_value = v.filled_value, reserved = v.reserved, after_seq = v.after_seq, updated_at = now()
      FROM (VALUES ${sql.join(changed.map((c) => sql`(${c.id}::integer, ${c.status}::text, ${c.reason}::text, ${c.triggered}::boolean, ${c.filledQuantity}::integer, ${c.filledValue}::bigint, ${c.reserved}::bigint, ${c.afterSeq}::bigint)`))})
        AS v(id, status, reason, triggered, filled_quantity, filled_value, reserved, after_seq)
      WHERE o.id = v.id AND o.status IN (${sql.join(OPEN)}) AND o.after_seq < v.after_seq
      RETURNING o.*)`,
  ];
  if (filled.length > 0) {
    const fills = db
      .insertInto('fills')
      .values(filled.map(({ before: o, tick, match }) => ({ order_id: o.id, user_id: o.userId, symbol: o.symbol, side: o.side, quantity: match.fill!.quantity, price: match.fill!.price, seq: tick.seq, tick_ts: new Date(tick.ts) })))
      .onConflict((oc) => oc.columns(['order_id', 'seq']).doNothing())
      .returningAll();
    writes.push(sql`recorded AS (${fills})`);
    // Day P&L's sums, from the fills just recorded (a fill recorded before is not in `recorded`).
    writes.push(sql`days AS (
      INSERT INTO fill_days (user_id, day, symbol, net_quantity, cash_flow)
      SELECT user_id, date_trunc('day', tick_ts, 'UTC'), symbol,
             sum(CASE WHEN side = 'buy' THEN quantity ELSE -quantity END),
             sum(CASE WHEN side = 'buy' THEN -(price * quantity) ELSE price * quantity END)
      FROM recorded GROUP BY 1, 2, 3
      ON CONFLICT (user_id, day, symbol) DO UPDATE
        SET net_quantity = fill_days.net_quantity + excluded.net_quantity, cash_flow = fill_days.cash_flow + excluded.cash_flow)`);
  }
  if (outcome.positions.size > 0) {
    const positions = db
      .insertInto('positions')
      .values([...outcome.positions.values()].map(({ userId, position: p }) => ({ user_id: userId, symbol: p.symbol, quantity: p.quantity, cost_basis: p.costBasis, realized_pnl: p.realizedPnl })))
      .onConflict((oc) => oc.columns(['user_id', 'symbol']).doUpdateSet((eb) => ({ quantity: eb.ref('excluded.quantity'), cost_basis: eb.ref('excluded.cost_basis'), realized_pnl: eb.ref('excluded.realized_pnl') })));
    writes.push(sql`held AS (${positions})`);
  }
  if (outcome.cash.size > 0) {
    writes.push(sql`paid AS (
      UPDATE paper_accounts AS a SET cash = v.cash, updated_at = now()
      FROM (VALUES ${sql.join([...outcome.cash].map(([user, cash]: [number, Money]) => sql`(${user}::integer, ${cash}::bigint)`))}) AS v(user_id, cash)
      WHERE a.user_id = v.user_id)`);
  }
  const recorded = filled.length > 0 ? sql`(SELECT coalesce(json_agg(recorded), '[]') FROM recorded)` : sql`'[]'::json`;
  const { rows } = await sql<{ orders: JsonRow<OrderRow>[]; fills: JsonRow<FillRow>[] }>`
    WITH ${sql.join(writes)}
    SELECT (SELECT coalesce(json_agg(changed), '[]') FROM changed) AS orders, ${recorded} AS fills`.execute(db);
  const { orders, fills } = rows[0]!;
  // A fill already recorded, or an order that was not open or already past the tick: the batch was
  // decided on stale state. The guards hold under the locks; checked anyway, so a caller that did
  // not lock cannot write a stale decision. Throwing rolls the whole statement's writes back.
  if (fills.length !== filled.length) throw new Error(`fill batch: ${filled.length - fills.length} of ${filled.length} fills were recorded before`);
  if (orders.length !== changed.length) throw new Error(`fill batch: ${changed.length - orders.length} of ${changed.length} orders changed under their locks`);
  return { orders: orders.map(orderFromJson).sort((a, b) => a.id - b.id), fills: fills.map(fillFromJson).sort((a, b) => a.id - b.id) };
}
