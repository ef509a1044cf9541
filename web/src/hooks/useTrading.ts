import { useMemo, useSyncExternalStore } from 'react';
import type { TradingState } from '../app/trading.js';
import { markPortfolio, type MarkedPortfolio } from '../lib/portfolio-marks.js';
import { useDashboard } from './context.js';

/** One slice of the paper-trading state; the component re-renders only when that slice changes. */
export function useTrading<T>(select: (state: TradingState) => T): T {
  const { trading } = useDashboard();
  return useSyncExternalStore(trading.state.subscribe, () => select(trading.state.get()));
}

/** The portfolio re-marked at the page's live prices of its symbols (see lib/portfolio-marks). */
export function useMarkedPortfolio(): MarkedPortfolio | undefined {
  const { market } = useDashboard();
  const portfolio = useTrading((s) => s.portfolio);
  // A string, so the snapshot compares by value: re-render only when a held symbol's price moved.
  const prices = useSyncExternalStore(market.subscribeQuotes, () => (portfolio?.positions ?? []).map((p) => market.quote(p.symbol)?.price ?? '').join(','));
  return useMemo(() => {
    if (!portfolio) return undefined;
    const live = new Map(portfolio.positions.map((p, i) => [p.symbol, prices.split(',')[i]]));
    return markPortfolio(portfolio, (symbol) => {
      const text = live.get(symbol);
      return text ? Number(text) : undefined;
    });
  }, [portfolio, prices]);
}
