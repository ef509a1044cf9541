import type { CloseReason } from './matching.js';
import { toDollars, type Money } from './money.js';
import type { OrderSide, OrderState, OrderStatus, OrderType, TimeInForce } from './order.js';
import type { Valuation } from './portfolio.js';

/** An order as stored: the matching state plus what only the record keeps. */
export interface OrderRecord extends OrderState {
  readonly idempotencyKey: string | null;
  /** Sum of price × quantity over the order's fills (for the average fill price). */
  readonly filledValue: Money;
  readonly reason: CloseReason | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface FillRecord {
  readonly id: number;
  readonly orderId: number;
  readonly userId: number;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly quantity: number;
  readonly price: Money;
  readonly seq: number;
  readonly ts: number;
  readonly createdAt: string;
}

/** The order as its owner sees it (REST and the socket's `order` message): dollars, camelCase. */
export interface OrderView {
  readonly id: number;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly quantity: number;
  readonly filledQuantity: number;
  readonly limitPrice: number | null;
  readonly stopPrice: number | null;
  readonly averageFillPrice: number | null;
  readonly status: OrderStatus;
  readonly reason: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export function orderView(o: OrderRecord): OrderView {
  return {
    id: o.id,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    timeInForce: o.timeInForce,
    quantity: o.quantity,
    filledQuantity: o.filledQuantity,
    limitPrice: o.limitPrice === null ? null : toDollars(o.limitPrice),
    stopPrice: o.stopPrice === null ? null : toDollars(o.stopPrice),
    averageFillPrice: o.filledQuantity === 0 ? null : Math.round(o.filledValue / o.filledQuantity) / 10_000,
    status: o.status,
    reason: o.reason,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
  };
}

export interface FillView {
  readonly id: number;
  readonly orderId: number;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly quantity: number;
  readonly price: number;
  readonly seq: number;
  readonly ts: string;
}

export function fillView(f: FillRecord): FillView {
  return { id: f.id, orderId: f.orderId, symbol: f.symbol, side: f.side, quantity: f.quantity, price: toDollars(f.price), seq: f.seq, ts: new Date(f.ts).toISOString() };
}

export interface PortfolioView {
  readonly cash: number;
  readonly buyingPower: number;
  readonly startingCash: number;
  readonly equity: number;
  readonly marketValue: number;
  readonly unrealizedPnl: number;
  readonly realizedPnl: number;
  readonly totalPnl: number;
  /** Equity now minus equity at the start of the trading day (`dayStart`). */
  readonly dayPnl: number;
  /** Start of the trading day `dayPnl` counts from (ISO 8601, UTC midnight). */
  readonly dayStart: string;
  /** Shares per lot: a buy's quantity is a whole number of lots. */
  readonly lotSize: number;
  readonly positions: {
    readonly symbol: string;
    readonly quantity: number;
    readonly averageCost: number;
    readonly price: number | null;
    readonly marketValue: number;
    readonly unrealizedPnl: number;
    readonly realizedPnl: number;
  }[];
}

export function portfolioView(v: Valuation, startingCash: Money, reserved: Money, dayStart: number, lotSize: number): PortfolioView {
  return {
    cash: toDollars(v.cash),
    buyingPower: toDollars(v.cash - reserved),
    startingCash: toDollars(startingCash),
    equity: toDollars(v.equity),
    marketValue: toDollars(v.marketValue),
    unrealizedPnl: toDollars(v.unrealizedPnl),
    realizedPnl: toDollars(v.realizedPnl),
    totalPnl: toDollars(v.equity - startingCash),
    dayPnl: toDollars(v.dayPnl ?? 0),
    dayStart: new Date(dayStart).toISOString(),
    lotSize,
    positions: v.positions.map((p) => ({
      symbol: p.symbol,
      quantity: p.quantity,
      averageCost: p.quantity === 0 ? 0 : Math.round(p.costBasis / p.quantity) / 10_000,
      price: p.price === undefined ? null : toDollars(p.price),
      marketValue: toDollars(p.marketValue),
      unrealizedPnl: toDollars(p.unrealizedPnl),
      realizedPnl: toDollars(p.realizedPnl),
    })),
  };
}
