import {
  admit,
  checkOrder,
  isOpen,
  onTickGrid,
  remaining,
  toMoney,
  type AccountView,
  type OrderInput,
  type OrderSide,
  type OrderType,
  type TimeInForce,
} from '../../../src/protocol/index.js';
import { price as dollars } from './format.js';
import type { WireOrder, WirePortfolio } from './trading-api.js';

export { ORDER_SIDES, ORDER_TYPES, TIMES_IN_FORCE } from '../../../src/protocol/index.js';
export type { OrderSide, OrderType, TimeInForce };

/** The order ticket's fields as typed (strings, so a half-typed price is not lost). */
export interface TicketDraft {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity: string;
  readonly limitPrice: string;
  readonly stopPrice: string;
  readonly timeInForce: TimeInForce;
}

export type TicketField = 'quantity' | 'limitPrice' | 'stopPrice' | 'timeInForce' | 'form';

export type TicketCheck = { ok: true; order: OrderInput } | { ok: false; code: string; message: string; field: TicketField };

export const needsLimit = (type: OrderType): boolean => type === 'limit' || type === 'stop_limit';
export const needsStop = (type: OrderType): boolean => type === 'stop' || type === 'stop_limit';

/** What the account holds, for the funds and position checks; undefined while it is loading. */
export interface TicketAccount {
  readonly portfolio: WirePortfolio | undefined;
  readonly openOrders: readonly WireOrder[];
  /** The symbol's latest price on the page, if any. */
  readonly latest: number | undefined;
}

const FIELD_OF: Record<string, TicketField> = { INVALID_QUANTITY: 'quantity', INVALID_TIME_IN_FORCE: 'timeInForce' };

/**
 * Checks a ticket before it is sent, with the server's own rules and codes: the shape through the
 * domain's `checkOrder`, funds and holdings through its `admit` on the account as the page last saw
 * it. Both are pure and imported rather than copied, so the ticket and the server cannot disagree
 * on a rule; the server still decides (its view of funds is the current one).
 */
export function checkTicket(draft: TicketDraft, account: TicketAccount): TicketCheck {
  const quantity = draft.quantity.trim() === '' ? Number.NaN : Number(draft.quantity);
  const order: OrderInput = {
    symbol: draft.symbol,
    side: draft.side,
    type: draft.type,
    quantity,
    limitPrice: needsLimit(draft.type) ? parsePrice(draft.limitPrice) : undefined,
    stopPrice: needsStop(draft.type) ? parsePrice(draft.stopPrice) : undefined,
    timeInForce: draft.timeInForce,
  };
  const checked = checkOrder(order, account.portfolio?.lotSize ?? 1);
  if (!checked.ok) return { ok: false, code: checked.code, message: checked.message, field: FIELD_OF[checked.code] ?? priceField(draft, order) };
  const { portfolio, openOrders, latest } = account;
  if (!portfolio) return { ok: true, order };
  const view: AccountView = {
    cash: toMoney(portfolio.cash),
    reserved: toMoney(portfolio.cash) - toMoney(portfolio.buyingPower),
    held: portfolio.positions.find((p) => p.symbol === draft.symbol)?.quantity ?? 0,
    pendingSells: openOrders.filter((o) => o.symbol === draft.symbol && o.side === 'sell' && isOpen(o.status)).reduce((n, o) => n + remaining(o), 0),
  };
  // Without a price on the page a market buy cannot be costed here; the server costs it.
  if (latest === undefined && draft.side === 'buy' && !needsLimit(draft.type)) return { ok: true, order };
  const admitted = admit(checked.value, view, latest === undefined ? 0 : toMoney(latest));
  if (!admitted.ok) return { ok: false, code: admitted.code, message: admitted.message, field: 'quantity' };
  return { ok: true, order };
}

/** Empty is absent (`checkOrder` says the type needs it); unreadable is NaN (not a grid price). */
function parsePrice(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text);
}

/** Which price field an INVALID_ORDER_PRICE is about, to show the message beside it. */
function priceField(draft: TicketDraft, order: OrderInput): TicketField {
  if (needsLimit(draft.type) && !onGrid(order.limitPrice)) return 'limitPrice';
  if (needsStop(draft.type) && !onGrid(order.stopPrice)) return 'stopPrice';
  return 'form';
}

function onGrid(dollars: number | undefined): boolean {
  if (dollars === undefined || !Number.isFinite(dollars) || dollars <= 0 || dollars > 1_000_000) return false;
  const units = toMoney(dollars);
  return onTickGrid(units) && Math.abs(units / 10_000 - dollars) <= 1e-9 * Math.max(1, dollars);
}

/** "buy 3 AAPL limit 1.00", "sell 5 MSFT stop-limit stop 410.00 limit 409.50": an order named for people. */
export function orderName(o: Pick<WireOrder, 'side' | 'quantity' | 'symbol' | 'type' | 'limitPrice' | 'stopPrice'>): string {
  const at = (v: number | null) => (v === null ? '' : dollars(v));
  const terms = o.type === 'market' ? 'market' : o.type === 'limit' ? `limit ${at(o.limitPrice)}` : o.type === 'stop' ? `stop ${at(o.stopPrice)}` : `stop-limit stop ${at(o.stopPrice)} limit ${at(o.limitPrice)}`;
  return `${o.side} ${o.quantity} ${o.symbol} ${terms}`;
}
