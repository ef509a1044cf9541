import { sql, type Kysely } from 'kysely';
import type { Money } from '../../domain/orders/money.js';
import { OPEN_STATUSES } from '../../domain/orders/order.js';
import type { Tables } from './tables.js';

const OPEN = [...OPEN_STATUSES];

/** Cash each of `users` has reserved for open buy orders: the query, for callers that read it beside others in one statement. */
export function reservedCashQuery(db: Kysely<Tables>, users: readonly number[]) {
  return db
    .selectFrom('orders')
    .select((eb) => ['user_id', eb.fn.sum<string>('reserved').as('reserved')])
    .where('user_id', 'in', users)
    .where('side', '=', 'buy')
    .where('status', 'in', OPEN)
    .groupBy('user_id');
}

/**
 * Per owner and symbol, what open orders hold back: cash for buys, shares for sells (what a new
 * submission is admitted against). The query, for callers that read it beside others in one statement.
 */
export function openOrdersQuery(db: Kysely<Tables>, users: readonly number[]) {
  return db
    .selectFrom('orders')
    .select((eb) => [
      'user_id',
      'symbol',
      eb.fn.coalesce(eb.fn.sum<string>(sql`CASE WHEN side = 'buy' THEN reserved ELSE 0 END`), sql<string>`0`).as('reserved'),
      eb.fn.coalesce(eb.fn.sum<string>(sql`CASE WHEN side = 'sell' THEN quantity - filled_quantity ELSE 0 END`), sql<string>`0`).as('pending_sells'),
    ])
    .where('user_id', 'in', users)
    .where('status', 'in', OPEN)
    .groupBy(['user_id', 'symbol']);
}

/** Cash each of `users` has reserved for open buy orders, in the caller's transaction (absent: none). */
export async function reservedCash(db: Kysely<Tables>, users: readonly number[]): Promise<Map<number, Money>> {
  return reservedMap(await reservedCashQuery(db, users).execute());
}

export function reservedMap(rows: readonly { user_id: number; reserved: string | number }[]): Map<number, Money> {
  return new Map(rows.map((r) => [r.user_id, Number(r.reserved)]));
}
