import type { CloseReason } from '../../domain/orders/matching.js';
import type { FillRecord, OrderRecord } from '../../domain/orders/records.js';
import type { FillRow, OrderRow } from './tables.js';

/** Rows of the paper-trading tables as the domain's records (bigint money columns as numbers). */
export function toOrder(row: OrderRow): OrderRecord {
  return {
    id: row.id,
    userId: row.user_id,
    idempotencyKey: row.idempotency_key,
    symbol: row.symbol,
    side: row.side,
    type: row.type,
    timeInForce: row.time_in_force,
    quantity: row.quantity,
    filledQuantity: row.filled_quantity,
    filledValue: Number(row.filled_value),
    limitPrice: row.limit_price === null ? null : Number(row.limit_price),
    stopPrice: row.stop_price === null ? null : Number(row.stop_price),
    status: row.status,
    reason: row.reason as CloseReason | null,
    triggered: row.triggered,
    afterSeq: Number(row.after_seq),
    day: Number(row.day),
    reserved: Number(row.reserved),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function toFill(row: FillRow): FillRecord {
  return { id: Number(row.id), orderId: row.order_id, userId: row.user_id, symbol: row.symbol, side: row.side, quantity: row.quantity, price: Number(row.price), seq: Number(row.seq), ts: row.tick_ts.getTime(), createdAt: row.created_at.toISOString() };
}

/** A row as PostgreSQL writes it in JSON (json_agg of a statement's results): timestamps as ISO strings. */
export type JsonRow<R> = { [K in keyof R]: R[K] extends Date ? string : R[K] };

export const orderFromJson = (row: JsonRow<OrderRow>): OrderRecord => toOrder({ ...row, created_at: new Date(row.created_at), updated_at: new Date(row.updated_at) });

export const fillFromJson = (row: JsonRow<FillRow>): FillRecord => toFill({ ...row, tick_ts: new Date(row.tick_ts), created_at: new Date(row.created_at) });
