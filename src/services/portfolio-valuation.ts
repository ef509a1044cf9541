import { dayStartEquity, dayStartMark, tradingDayStart } from '../domain/orders/day-pnl.js';
import { toMoney, type Money } from '../domain/orders/money.js';
import { value } from '../domain/orders/portfolio.js';
import { portfolioView, type PortfolioView } from '../domain/orders/records.js';
import type { Repositories } from '../ports/database.js';
import type { PriceStore } from '../ports/price-store.js';

/**
 * One user's portfolio at the latest prices, with the day P&L: equity now minus equity at the
 * start of the trading day (day-pnl.ts defines the day and the day-start marks). The REST route
 * and the orders role's `portfolio` messages both value through here, so they always agree.
 */
export async function valuePortfolio(db: Pick<Repositories, 'orders'>, store: PriceStore, userId: number, startingCash: Money, now = Date.now()): Promise<PortfolioView> {
  const dayStart = tradingDayStart(now);
  const ledger = await db.orders.ledger(userId, startingCash, dayStart);
  const held = ledger.positions.filter((p) => p.quantity > 0);
  const symbols = [...new Set([...held.map((p) => p.symbol), ...ledger.today.map((a) => a.symbol)])];
  const quotes = await Promise.all(symbols.map((s) => store.quote(s)));
  const prices = new Map<string, Money>();
  const marks = new Map<string, Money>();
  quotes.forEach((quote, i) => {
    if (!quote) return;
    prices.set(symbols[i]!, toMoney(quote.price));
    marks.set(symbols[i]!, toMoney(dayStartMark(quote, dayStart)));
  });
  const startEquity = dayStartEquity(ledger.cash, ledger.positions, ledger.today, marks, prices);
  return portfolioView(value(ledger.cash, ledger.positions, prices, startEquity), ledger.startingCash, ledger.reserved, dayStart);
}
