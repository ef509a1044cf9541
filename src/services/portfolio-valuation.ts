import { dayStartEquity, dayStartMark, tradingDayStart } from '../domain/orders/day-pnl.js';
import type { AccountRules } from '../domain/orders/account-rules.js';
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
export async function valuePortfolio(db: Pick<Repositories, 'orders'>, store: PriceStore, userId: number, rules: AccountRules, now = Date.now()): Promise<PortfolioView> {
  return (await valuePortfolios(db, store, [userId], rules, now)).get(userId)!;
}

/** `valuePortfolio` of several users with one read of the ledger and one quote per symbol. */
export async function valuePortfolios(db: Pick<Repositories, 'orders'>, store: PriceStore, userIds: readonly number[], rules: AccountRules, now = Date.now()): Promise<Map<number, PortfolioView>> {
  const dayStart = tradingDayStart(now);
  const ledgers = await db.orders.ledgers(userIds, rules.startingCash, dayStart);
  const symbols = new Set<string>();
  for (const ledger of ledgers.values()) {
    for (const p of ledger.positions) if (p.quantity > 0) symbols.add(p.symbol);
    for (const a of ledger.today) symbols.add(a.symbol);
  }
  const list = [...symbols];
  const quotes = await Promise.all(list.map((s) => store.quote(s)));
  const prices = new Map<string, Money>();
  const marks = new Map<string, Money>();
  quotes.forEach((quote, i) => {
    if (!quote) return;
    prices.set(list[i]!, toMoney(quote.price));
    marks.set(list[i]!, toMoney(dayStartMark(quote, dayStart)));
  });
  const out = new Map<number, PortfolioView>();
  for (const [userId, ledger] of ledgers) {
    const startEquity = dayStartEquity(ledger.cash, ledger.positions, ledger.today, marks, prices);
    out.set(userId, portfolioView(value(ledger.cash, ledger.positions, prices, startEquity), ledger.startingCash, ledger.reserved, dayStart, rules.lotSize));
  }
  return out;
}
