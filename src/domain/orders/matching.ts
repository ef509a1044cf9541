import { utcDayStart } from '../daily-stats.js';
import type { Tick } from '../tick.js';
import { reservationAfterFill } from './buying-power.js';
import { times, toMoney, type Money } from './money.js';
import { isOpen, remaining, type OrderState, type OrderStatus } from './order.js';

/** Why an order stopped before it filled completely (the order's `reason`). */
export type CloseReason = 'DAY_ENDED' | 'IOC_UNFILLED' | 'INSUFFICIENT_FUNDS' | 'INSUFFICIENT_POSITION' | 'CANCELED_BY_USER' | 'ACCOUNT_RESET';

/** What the account allows this order at the moment of a tick. */
export interface FillBounds {
  /** Cash this order may spend: cash minus what the owner's other open buy orders hold back. */
  readonly spendable: Money;
  /** Shares of the symbol held (long-only: a sell never takes the position below zero). */
  readonly held: number;
}

export interface Match {
  /** A fill on this tick, at the tick's price, at most the tick's size. */
  readonly fill?: { readonly quantity: number; readonly price: Money };
  readonly status: OrderStatus;
  readonly triggered: boolean;
  readonly reason?: CloseReason;
}

/**
 * What one tick does to one order; undefined when it does nothing. Pure: the caller writes the
 * result, keyed by (order, tick seq), so deciding the same tick twice writes it once.
 *
 * - A tick at or before `afterSeq` (the market the order was submitted into) or of another symbol
 *   is not for this order.
 * - market: fills at the tick's price. limit: buys at or below the limit, sells at or above; a
 *   tick that gaps through the limit fills at the tick's (better) price.
 * - stop: triggers on a tick at or through the stop (buy ≥, sell ≤), then fills like a market
 *   order on that same tick, at its price, however far it gapped. stop_limit: triggers the same
 *   way and then rests as a limit order, filling on the triggering tick too if its price allows.
 * - The tick's size bounds the fill; the rest waits for later ticks (partially_filled).
 * - Funds and holdings are checked again at fill: what cannot be paid for or is not held is not
 *   filled, and the rest of the order is canceled with the reason; so is the rest of a buy whose
 *   fill leaves too little cash for what that rest holds back (a fill past its collar). When no
 *   share of the order has filled and none can on this tick, the order is rejected with the
 *   reason instead, as a broker's risk check at execution refuses an order it cannot carry out.
 * - ioc: the first tick after submission decides; whatever it does not fill is canceled.
 * - day: expires on the first tick of a later UTC day than the one it was accepted in.
 */
export function matchTick(order: OrderState, tick: Tick, bounds: FillBounds): Match | undefined {
  if (!isOpen(order.status) || tick.symbol !== order.symbol || tick.seq <= order.afterSeq) return undefined;
  if (order.timeInForce === 'day' && utcDayStart(tick.ts) > order.day) return { status: 'expired', triggered: order.triggered, reason: 'DAY_ENDED' };

  const price = toMoney(tick.price);
  const buy = order.side === 'buy';
  let triggered = order.triggered;
  if ((order.type === 'stop' || order.type === 'stop_limit') && !triggered) {
    triggered = buy ? price >= order.stopPrice! : price <= order.stopPrice!;
    if (!triggered) return undefined;
  }
  const marketable = order.type === 'market' || order.type === 'stop' || (buy ? price <= order.limitPrice! : price >= order.limitPrice!);

  const open = remaining(order);
  let quantity = marketable ? Math.min(open, Math.max(0, Math.floor(tick.size))) : 0;
  let short: CloseReason | undefined;
  if (quantity > 0 && buy) {
    const affordable = Math.max(0, Math.floor(bounds.spendable / price));
    if (affordable < quantity) [quantity, short] = [affordable, 'INSUFFICIENT_FUNDS'];
    // Past its collar a buy can pay for this fill and still leave its rest uncovered: what the rest
    // goes on holding back must fit in the cash left, or buying power turns negative — then the
    // rest is canceled instead.
    else if (quantity < open && times(price, quantity) + reservationAfterFill(order.reserved, open, open - quantity) > bounds.spendable) short = 'INSUFFICIENT_FUNDS';
  } else if (quantity > 0) {
    if (bounds.held < quantity) [quantity, short] = [Math.max(0, bounds.held), 'INSUFFICIENT_POSITION'];
  }

  const fill = quantity > 0 ? { quantity, price } : undefined;
  if (quantity === open) return { fill, status: 'filled', triggered };
  if (short) return { fill, status: fill || order.filledQuantity > 0 ? 'canceled' : 'rejected', triggered, reason: short };
  if (order.timeInForce === 'ioc') return { fill, status: 'canceled', triggered, reason: 'IOC_UNFILLED' };
  if (fill) return { fill, status: 'partially_filled', triggered };
  if (triggered !== order.triggered) return { status: order.status, triggered };
  return undefined;
}
