import { useSyncExternalStore } from 'react';
import type { UiState } from '../app/controller.js';
import type { QuoteView } from '../lib/market.js';
import { useDashboard } from './context.js';

/** One slice of the UI state; the component re-renders only when that slice changes. */
export function useUi<T>(select: (state: UiState) => T): T {
  const { ui } = useDashboard();
  return useSyncExternalStore(ui.subscribe, () => select(ui.get()));
}

/** A symbol's quote as of the last animation frame. */
export function useQuote(symbol: string): QuoteView | undefined {
  const { market } = useDashboard();
  return useSyncExternalStore(market.subscribeQuotes, () => market.quote(symbol));
}
