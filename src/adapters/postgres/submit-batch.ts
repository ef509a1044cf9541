import type { Insertable, Kysely } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { admit } from '../../domain/orders/buying-power.js';
import type { Money } from '../../domain/orders/money.js';
import type { OrderRequest } from '../../domain/orders/order.js';
import type { OrderRecord } from '../../domain/orders/records.js';
import type { OrderSubmission, SubmitResult } from '../../ports/database.js';
import { orderFromJson, toOrder } from './order-rows.js';
import { openOrdersQuery } from './reservations.js';
import { lockSubmissions } from './submission-locks.js';
import type { OrdersTable, Tables } from './tables.js';

const sameRequest = (o: OrderRecord, r: OrderRequest): boolean =>
  o.symbol === r.symbol && o.side === r.side && o.type === r.type && o.quantity === r.quantity && o.limitPrice === r.limitPrice && o.stopPrice === r.stopPrice && o.timeInForce === r.timeInForce;

const keyOf = (userId: number, key: string): string => `${userId}\u0000${key}`;
const pair = (userId: number, symbol: string): string => `${userId}\u0000${symbol}`;

type Decision = { result: SubmitResult } | { insert: number } | { sameAs: number; request: OrderRequest };

/**
 * Submissions of many users in the caller's transaction, in three statements: the owners'
 * submission locks (see submission-locks.ts), then their cash, Idempotency-Keys, open orders and
 * positions read under those locks in one statement, each submission admitted in turn against what
 * the earlier ones of the batch reserved, and the admitted ones inserted together (a fourth opens
 * the accounts of first-time owners). Answers in the order given; each answer is what `submit`
 * alone would have answered after the submissions before it.
 */
export async function submitBatch(db: Kysely<Tables>, items: readonly OrderSubmission[]): Promise<SubmitResult[]> {
  if (items.length === 0) return [];
  const starting = new Map<number, Money>();
  for (const s of items) if (!starting.has(s.userId)) starting.set(s.userId, s.startingCash);
  const users = [...starting.keys()].sort((a, b) => a - b);
  await lockSubmissions(db, users);
  // Read after the lock, in one statement: what earlier submissions of these owners committed is
  // visible. Fill batches do not wait for it nor it for them: one committing meanwhile only raises
  // buying power (see spendsPastReservations), so what is admitted here stays covered.
  const keyed = items.filter((s) => s.idempotencyKey !== undefined);
  const read = await db
    .selectNoFrom([
      jsonArrayFrom(db.selectFrom('paper_accounts').select(['user_id', 'cash']).where('user_id', 'in', users)).as('accounts'),
      jsonArrayFrom(
        db
          .selectFrom('orders')
          .selectAll()
          .where((eb) => (keyed.length === 0 ? eb.val(false) : eb.or(keyed.map((s) => eb.and([eb('user_id', '=', s.userId), eb('idempotency_key', '=', s.idempotencyKey!)]))))),
      ).as('earlier'),
      jsonArrayFrom(openOrdersQuery(db, users)).as('open'),
      jsonArrayFrom(db.selectFrom('positions').select(['user_id', 'symbol', 'quantity']).where('user_id', 'in', users)).as('positions'),
    ])
    .executeTakeFirstOrThrow();
  const cash = new Map(read.accounts.map((a) => [a.user_id, Number(a.cash)]));
  const missing = users.filter((u) => !cash.has(u));
  // An owner's first order opens the account with its starting cash (one opened meanwhile by a
  // portfolio read has that cash too, and nothing else can have moved it yet).
  if (missing.length > 0) {
    await db.insertInto('paper_accounts').values(missing.map((u) => ({ user_id: u, cash: starting.get(u)!, starting_cash: starting.get(u)! }))).onConflict((oc) => oc.column('user_id').doNothing()).execute();
    for (const u of missing) cash.set(u, starting.get(u)!);
  }
  const earlier = new Map<string, OrderRecord>();
  for (const row of read.earlier) earlier.set(keyOf(row.user_id, row.idempotency_key!), orderFromJson(row));
  const reserved = new Map<number, Money>();
  const pendingSells = new Map<string, number>();
  for (const row of read.open) {
    reserved.set(row.user_id, (reserved.get(row.user_id) ?? 0) + Number(row.reserved));
    pendingSells.set(pair(row.user_id, row.symbol), Number(row.pending_sells));
  }
  const held = new Map(read.positions.map((p) => [pair(p.user_id, p.symbol), p.quantity]));

  const decisions: Decision[] = [];
  const rows: Insertable<OrdersTable>[] = [];
  const firstWithKey = new Map<string, number>();
  items.forEach((s, i) => {
    const key = s.idempotencyKey === undefined ? undefined : keyOf(s.userId, s.idempotencyKey);
    const before = key === undefined ? undefined : earlier.get(key);
    if (before) {
      decisions.push({ result: sameRequest(before, s.request) ? { ok: true, order: before, created: false } : reused(before.id) });
      return;
    }
    const twin = key === undefined ? undefined : firstWithKey.get(key);
    if (twin !== undefined) {
      decisions.push({ sameAs: twin, request: s.request });
      return;
    }
    const r = s.request;
    if (r.side === 'buy' && r.limitPrice === null && r.stopPrice === null && !s.latest) {
      decisions.push({ result: { ok: false, code: 'NO_PRICE_YET', message: `${r.symbol} has no price yet to value a market order at.` } });
      return;
    }
    const at = pair(s.userId, r.symbol);
    const admission = admit(r, { cash: cash.get(s.userId)!, reserved: reserved.get(s.userId) ?? 0, held: held.get(at) ?? 0, pendingSells: pendingSells.get(at) ?? 0 }, s.latest?.price ?? 0);
    if (!admission.ok) {
      decisions.push({ result: { ok: false, code: admission.code as 'INSUFFICIENT_FUNDS' | 'INSUFFICIENT_POSITION', message: admission.message } });
      return;
    }
    // What this one holds back counts against the next ones of the batch.
    reserved.set(s.userId, (reserved.get(s.userId) ?? 0) + admission.reserve);
    if (r.side === 'sell') pendingSells.set(at, (pendingSells.get(at) ?? 0) + r.quantity);
    if (key !== undefined) firstWithKey.set(key, i);
    decisions.push({ insert: rows.length });
    rows.push({
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
    });
  });

  // Identity values follow the VALUES list: sorted by id, the rows are back in the order given.
  const inserted = rows.length === 0 ? [] : (await db.insertInto('orders').values(rows).returningAll().execute()).map(toOrder).sort((a, b) => a.id - b.id);
  const results: SubmitResult[] = [];
  for (const d of decisions) {
    if ('result' in d) results.push(d.result);
    else if ('insert' in d) results.push({ ok: true, order: inserted[d.insert]!, created: true });
    else {
      const first = results[d.sameAs]!;
      results.push(first.ok ? (sameRequest(first.order, d.request) ? { ok: true, order: first.order, created: false } : reused(first.order.id)) : first);
    }
  }
  return results;
}

const reused = (id: number): SubmitResult => ({ ok: false, code: 'IDEMPOTENCY_KEY_REUSED', message: `Idempotency-Key was used for order ${id}, which differs from this one.` });
