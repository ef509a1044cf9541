import { utcDayStart } from '../daily-stats.js';
import { prorate, times, type Money } from './money.js';
import type { Position } from './portfolio.js';

/**
 * The trading day is the UTC calendar day: it starts at 00:00:00.000 UTC, the same boundary that
 * expires `day` orders and resets each symbol's daily statistics (open, change, volume). The
 * simulated and ingested markets trade around the clock, so there is no exchange session to
 * follow; one boundary everywhere keeps a day order, a quote's change and the day P&L consistent.
 */
export const tradingDayStart = (now: number): number => utcDayStart(now);

/** What the owner's fills since the day started did, per symbol (signed: buys +, sells −). */
export interface DayActivity {
  readonly symbol: string;
  /** Shares bought minus shares sold today. */
  readonly netQuantity: number;
  /** Cash that today's fills moved: proceeds of sells minus cost of buys. */
  readonly cashFlow: Money;
}

/**
 * Equity at the start of the trading day, rebuilt from now backwards: today's fills are taken
 * off the cash and the positions, and what was held at the boundary is marked at the symbol's
 * day-start price (`marks`; see `dayStartMark`). A symbol without a mark is marked at `fallback`
 * (its current price), so it adds no market move to the day — only what today's trades in it did;
 * one without any price is held at cost, as `value` holds it.
 */
export function dayStartEquity(cash: Money, positions: readonly Position[], today: readonly DayActivity[], marks: ReadonlyMap<string, Money>, fallback: ReadonlyMap<string, Money>): Money {
  const bySymbol = new Map(today.map((a) => [a.symbol, a]));
  let equity = cash;
  for (const a of today) equity -= a.cashFlow;
  const symbols = new Set([...positions.map((p) => p.symbol), ...bySymbol.keys()]);
  for (const symbol of symbols) {
    const now = positions.find((p) => p.symbol === symbol)?.quantity ?? 0;
    const atStart = now - (bySymbol.get(symbol)?.netQuantity ?? 0);
    if (atStart <= 0) continue;
    const mark = marks.get(symbol) ?? fallback.get(symbol);
    if (mark !== undefined) equity += times(mark, atStart);
    else {
      // No price at all: held at cost, as the current valuation does (see `value`).
      const position = positions.find((p) => p.symbol === symbol);
      if (position && position.quantity > 0) equity += prorate(position.costBasis, Math.min(atStart, position.quantity), position.quantity);
    }
  }
  return equity;
}

/**
 * A symbol's price at the start of the trading day: its day open (the first tick at or after the
 * boundary) once it traded today, otherwise its latest price (the last trade before the boundary,
 * i.e. the previous close, which is still the current price).
 */
export function dayStartMark(quote: { readonly price: number; readonly open: number; readonly ts: number }, dayStart: number): number {
  return quote.ts >= dayStart ? quote.open : quote.price;
}
