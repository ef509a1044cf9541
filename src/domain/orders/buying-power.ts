import type { ErrorCode } from '../errors.js';
import { prorate, times, type Money } from './money.js';
import type { OrderRequest } from './order.js';

/**
 * Market and stop buys have no price of their own: they hold back the latest price plus this
 * collar (in percent), so an ordinary move before the fill is still paid for. A fill beyond what
 * the cash allows is cut short at fill time (matching.ts), never overdrawn.
 */
const MARKET_COLLAR_PCT = 5;

/** What the account has when an order is submitted. */
export interface AccountView {
  readonly cash: Money;
  /** Sum of what open buy orders hold back. */
  readonly reserved: Money;
  /** Shares of the order's symbol held. */
  readonly held: number;
  /** Shares of the order's symbol that open sell orders will take. */
  readonly pendingSells: number;
}

export type Admission = { ok: true; reserve: Money } | { ok: false; code: ErrorCode; message: string };

/**
 * Buying power at submit: a buy must fit in cash minus what open buys already hold back, at its
 * limit price (limit, stop_limit) or at the collared market price (market, stop: the higher of the
 * latest price and the stop). A sell must not take more than is held and not already promised to
 * other open sells (long-only). Returns the cash to hold back for the order.
 */
export function admit(order: OrderRequest, account: AccountView, latest: Money): Admission {
  if (order.side === 'sell') {
    const free = account.held - account.pendingSells;
    if (order.quantity > free) return { ok: false, code: 'INSUFFICIENT_POSITION', message: `Selling ${order.quantity} ${order.symbol} needs that many shares not already on sale; ${Math.max(0, free)} are.` };
    return { ok: true, reserve: 0 };
  }
  const reserve = times(reservationPrice(order, latest), order.quantity);
  const buyingPower = account.cash - account.reserved;
  if (reserve > buyingPower) return { ok: false, code: 'INSUFFICIENT_FUNDS', message: `The order needs ${dollars(reserve)} of buying power; ${dollars(Math.max(0, buyingPower))} is available.` };
  return { ok: true, reserve };
}

/** The per-share price a buy holds back. */
export function reservationPrice(order: Pick<OrderRequest, 'type' | 'limitPrice' | 'stopPrice'>, latest: Money): Money {
  if (order.limitPrice !== null) return order.limitPrice;
  const base = order.stopPrice !== null ? Math.max(order.stopPrice, latest) : latest;
  return Math.ceil((base * (100 + MARKET_COLLAR_PCT)) / 100);
}

/** After a fill, what the rest of the order keeps held back: its share of the old reservation. */
export function reservationAfterFill(reserved: Money, remainingBefore: number, remainingAfter: number): Money {
  return remainingAfter <= 0 || remainingBefore <= 0 ? 0 : prorate(reserved, remainingAfter, remainingBefore);
}

const dollars = (units: Money): string => `$${(units / 10_000).toFixed(2)}`;
