import type { ErrorCode } from '../errors.js';
import { onTickGrid, toMoney, type Money } from './money.js';

export const ORDER_SIDES = ['buy', 'sell'] as const;
export const ORDER_TYPES = ['market', 'limit', 'stop', 'stop_limit'] as const;
export const TIMES_IN_FORCE = ['day', 'gtc', 'ioc'] as const;
export const ORDER_STATUSES = ['new', 'accepted', 'partially_filled', 'filled', 'canceled', 'rejected', 'expired'] as const;
/** Statuses an order can still fill in. */
export const OPEN_STATUSES = ['new', 'accepted', 'partially_filled'] as const;

export type OrderSide = (typeof ORDER_SIDES)[number];
export type OrderType = (typeof ORDER_TYPES)[number];
export type TimeInForce = (typeof TIMES_IN_FORCE)[number];
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const MAX_ORDER_QUANTITY = 1_000_000;

/** What a client submits, prices already in ledger units. */
export interface OrderRequest {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity: number;
  readonly limitPrice: Money | null;
  readonly stopPrice: Money | null;
  readonly timeInForce: TimeInForce;
}

/** An order as the matching engine sees it. */
export interface OrderState extends OrderRequest {
  readonly id: number;
  readonly userId: number;
  readonly status: OrderStatus;
  readonly filledQuantity: number;
  /** A stop-limit whose stop was reached and now rests as a limit. */
  readonly triggered: boolean;
  /** Ticks of the symbol with `seq` at or below this came before the order: it never fills on them. */
  readonly afterSeq: number;
  /** Start (epoch ms) of the UTC day the order was accepted: a `day` order expires after it. */
  readonly day: number;
  /** Cash held back for the rest of a buy order (0 for sells). */
  readonly reserved: Money;
}

export const isOpen = (status: OrderStatus): boolean => (OPEN_STATUSES as readonly string[]).includes(status);
export const remaining = (order: Pick<OrderState, 'quantity' | 'filledQuantity'>): number => order.quantity - order.filledQuantity;

/** Raw fields of a submission, prices in dollars as the client wrote them. */
export interface OrderInput {
  readonly symbol: string;
  readonly side: string;
  readonly type: string;
  readonly quantity: number;
  readonly limitPrice?: number | undefined;
  readonly stopPrice?: number | undefined;
  readonly timeInForce?: string | undefined;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; message: string };

const refuse = (code: ErrorCode, message: string): Checked<never> => ({ ok: false, code, message });
const isOneOf = <T extends string>(values: readonly T[], v: string): v is T => (values as readonly string[]).includes(v);

/**
 * Checks a submission's shape and consistency (not funds or holdings, which need the account):
 * which prices a type needs and forbids, prices on the tick grid, whole positive quantities (a
 * buy's in lots of `lotSize` shares), and `ioc` only for orders that can fill at once (market and limit).
 */
export function checkOrder(input: OrderInput, lotSize = 1): Checked<OrderRequest> {
  if (!isOneOf(ORDER_SIDES, input.side)) return refuse('INVALID_SIDE', `side must be one of ${ORDER_SIDES.join(', ')}.`);
  if (!isOneOf(ORDER_TYPES, input.type)) return refuse('INVALID_ORDER_TYPE', `type must be one of ${ORDER_TYPES.join(', ')}.`);
  const timeInForce = input.timeInForce ?? 'day';
  if (!isOneOf(TIMES_IN_FORCE, timeInForce)) return refuse('INVALID_TIME_IN_FORCE', `timeInForce must be one of ${TIMES_IN_FORCE.join(', ')}.`);
  if (!Number.isSafeInteger(input.quantity) || input.quantity < 1 || input.quantity > MAX_ORDER_QUANTITY) {
    return refuse('INVALID_QUANTITY', `quantity must be a whole number from 1 to ${MAX_ORDER_QUANTITY}.`);
  }
  // Buys only: fills follow tick sizes and funds, not lots, so a position can hold an odd lot —
  // selling any whole number of shares keeps it closable.
  if (input.side === 'buy' && input.quantity % lotSize !== 0) return refuse('INVALID_QUANTITY', `a buy's quantity must be a whole number of lots of ${lotSize} shares.`);
  const needsLimit = input.type === 'limit' || input.type === 'stop_limit';
  const needsStop = input.type === 'stop' || input.type === 'stop_limit';
  const limitPrice = price(input.limitPrice);
  const stopPrice = price(input.stopPrice);
  if (needsLimit !== (input.limitPrice !== undefined)) return refuse('INVALID_ORDER_PRICE', needsLimit ? `a ${input.type} order needs limitPrice.` : `a ${input.type} order takes no limitPrice.`);
  if (needsStop !== (input.stopPrice !== undefined)) return refuse('INVALID_ORDER_PRICE', needsStop ? `a ${input.type} order needs stopPrice.` : `a ${input.type} order takes no stopPrice.`);
  if (limitPrice === false || stopPrice === false) return refuse('INVALID_ORDER_PRICE', 'prices are > 0 and on the tick grid: whole cents from $1, hundredths of a cent below.');
  if (timeInForce === 'ioc' && needsStop) return refuse('INVALID_TIME_IN_FORCE', 'ioc applies to market and limit orders only.');
  return { ok: true, value: { symbol: input.symbol, side: input.side, type: input.type, quantity: input.quantity, limitPrice, stopPrice, timeInForce } };
}

/** null when absent, false when not a valid grid price. */
function price(dollars: number | undefined): Money | null | false {
  if (dollars === undefined) return null;
  if (!Number.isFinite(dollars) || dollars <= 0 || dollars > 1_000_000) return false;
  const units = toMoney(dollars);
  // The conversion must be exact: 10.005 is not a price here, even though it rounds to one.
  if (Math.abs(units / 10_000 - dollars) > 1e-9 * Math.max(1, dollars)) return false;
  return onTickGrid(units) ? units : false;
}
