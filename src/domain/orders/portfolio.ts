import { prorate, times, type Money } from './money.js';

/** A holding in the ledger: quantity, what was paid for it, and P&L already realized on it. */
export interface Position {
  readonly symbol: string;
  readonly quantity: number;
  /** What the shares held cost in total (average cost × quantity, exactly). */
  readonly costBasis: Money;
  readonly realizedPnl: Money;
}

export interface Fill {
  readonly side: 'buy' | 'sell';
  readonly quantity: number;
  readonly price: Money;
}

export const emptyPosition = (symbol: string): Position => ({ symbol, quantity: 0, costBasis: 0, realizedPnl: 0 });

/**
 * One fill applied to a position and the cash. Average-cost accounting: a buy adds its cost to
 * the basis; a sell removes the sold shares' share of the basis and realizes the difference to
 * its proceeds. A sell beyond the holding is refused (long-only), never booked as a short.
 */
export function applyFill(position: Position, cash: Money, fill: Fill): { position: Position; cash: Money; realized: Money } {
  const amount = times(fill.price, fill.quantity);
  if (fill.side === 'buy') {
    return { position: { ...position, quantity: position.quantity + fill.quantity, costBasis: position.costBasis + amount }, cash: cash - amount, realized: 0 };
  }
  if (fill.quantity > position.quantity) throw new RangeError(`selling ${fill.quantity} of ${position.quantity} held`);
  const basisSold = prorate(position.costBasis, fill.quantity, position.quantity);
  const realized = amount - basisSold;
  return {
    position: { ...position, quantity: position.quantity - fill.quantity, costBasis: position.costBasis - basisSold, realizedPnl: position.realizedPnl + realized },
    cash: cash + amount,
    realized,
  };
}

export interface PositionValue extends Position {
  /** Latest price, or undefined when the symbol has none yet (valued at cost then). */
  readonly price: Money | undefined;
  readonly marketValue: Money;
  readonly unrealizedPnl: Money;
}

export interface Valuation {
  readonly cash: Money;
  readonly positions: PositionValue[];
  readonly marketValue: Money;
  readonly equity: Money;
  readonly unrealizedPnl: Money;
  readonly realizedPnl: Money;
  /** Equity now minus equity at the start of the day (undefined without a start-of-day figure). */
  readonly dayPnl: Money | undefined;
}

/** The portfolio at the latest prices; positions without a price yet count at cost. */
export function value(cash: Money, positions: readonly Position[], prices: ReadonlyMap<string, Money>, dayStartEquity?: Money): Valuation {
  let marketValue = 0;
  let unrealizedPnl = 0;
  let realizedPnl = 0;
  const values = positions.map((p): PositionValue => {
    const price = prices.get(p.symbol);
    const mv = price === undefined ? p.costBasis : times(price, p.quantity);
    marketValue += mv;
    unrealizedPnl += mv - p.costBasis;
    realizedPnl += p.realizedPnl;
    return { ...p, price, marketValue: mv, unrealizedPnl: mv - p.costBasis };
  });
  const equity = cash + marketValue;
  return { cash, positions: values, marketValue, equity, unrealizedPnl, realizedPnl, dayPnl: dayStartEquity === undefined ? undefined : equity - dayStartEquity };
}
