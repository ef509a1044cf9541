import { times, toDollars, toMoney } from '../../../src/protocol/index.js';
import type { WirePortfolio } from './trading-api.js';

export type WirePosition = WirePortfolio['positions'][number];

export interface MarkedPosition extends WirePosition {
  /** The price it is marked at came from the page's live stream (not the server's last message). */
  readonly live: boolean;
}

export interface MarkedPortfolio {
  readonly cash: number;
  readonly buyingPower: number;
  readonly equity: number;
  readonly marketValue: number;
  readonly unrealizedPnl: number;
  readonly realizedPnl: number;
  readonly totalPnl: number;
  readonly dayPnl: number;
  readonly positions: readonly MarkedPosition[];
}

/**
 * The server's portfolio re-marked at the page's latest prices. Portfolio messages come at most a
 * few times a second, while watched symbols tick faster: between two messages each position moves
 * with its symbol's live price. The cost basis is what the server valued (market value minus
 * unrealized P&L), so only the price changes; amounts are worked in ledger units (1/10,000 USD).
 */
export function markPortfolio(portfolio: WirePortfolio, livePrice: (symbol: string) => number | undefined): MarkedPortfolio {
  let moved = 0;
  const positions = portfolio.positions.map((p): MarkedPosition => {
    const price = livePrice(p.symbol);
    if (price === undefined || p.quantity === 0) return { ...p, live: false };
    const basis = toMoney(p.marketValue) - toMoney(p.unrealizedPnl);
    const value = times(toMoney(price), p.quantity);
    moved += value - toMoney(p.marketValue);
    return { ...p, price, marketValue: toDollars(value), unrealizedPnl: toDollars(value - basis), live: true };
  });
  const plus = (dollars: number) => toDollars(toMoney(dollars) + moved);
  return {
    cash: portfolio.cash,
    buyingPower: portfolio.buyingPower,
    equity: plus(portfolio.equity),
    marketValue: plus(portfolio.marketValue),
    unrealizedPnl: plus(portfolio.unrealizedPnl),
    realizedPnl: portfolio.realizedPnl,
    totalPnl: plus(portfolio.totalPnl),
    dayPnl: plus(portfolio.dayPnl),
    positions,
  };
}
