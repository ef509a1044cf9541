import { describe, expect, it } from 'vitest';
import { dayStartEquity, dayStartMark, tradingDayStart, type DayActivity } from '../../src/domain/orders/day-pnl.js';
import { times, toMoney } from '../../src/domain/orders/money.js';
import { applyFill, emptyPosition, value, type Fill, type Position } from '../../src/domain/orders/portfolio.js';

const DAY = Date.UTC(2026, 11, 4);
const $ = toMoney;

/** Books fills in order and sums the ones from `since` on as the repository's ledger does. */
function ledger(fills: (Fill & { symbol: string; ts: number })[], since: number, cash = $(100_000)) {
  const positions = new Map<string, Position>();
  const today = new Map<string, { netQuantity: number; cashFlow: number }>();
  for (const f of fills) {
    const before = positions.get(f.symbol) ?? emptyPosition(f.symbol);
    const after = applyFill(before, cash, f);
    positions.set(f.symbol, after.position);
    cash = after.cash;
    if (f.ts >= since) {
      const a = today.get(f.symbol) ?? { netQuantity: 0, cashFlow: 0 };
      const amount = times(f.price, f.quantity);
      today.set(f.symbol, f.side === 'buy' ? { netQuantity: a.netQuantity + f.quantity, cashFlow: a.cashFlow - amount } : { netQuantity: a.netQuantity - f.quantity, cashFlow: a.cashFlow + amount });
    }
  }
  const activity: DayActivity[] = [...today].map(([symbol, a]) => ({ symbol, ...a }));
  return { cash, positions: [...positions.values()], today: activity };
}

describe('day P&L', () => {
  it('the trading day starts at UTC midnight', () => {
    expect(tradingDayStart(DAY + 5 * 3_600_000)).toBe(DAY);
    expect(tradingDayStart(DAY - 1)).toBe(DAY - 86_400_000);
    expect(tradingDayStart(DAY)).toBe(DAY);
  });

  it('marks at the day open once the symbol traded today, else at its last price (the previous close)', () => {
    expect(dayStartMark({ price: 101, open: 99, ts: DAY + 1 }, DAY)).toBe(99);
    expect(dayStartMark({ price: 101, open: 95, ts: DAY - 1 }, DAY)).toBe(101);
  });

  it('a position carried overnight earns the move since the open; today’s buys earn the move since their fill', () => {
    // Yesterday: 10 AAPL at $150. Today: 5 more at $152; AAPL opened at $151, now $155.
    const { cash, positions, today } = ledger(
      [
        { symbol: 'AAPL', side: 'buy', quantity: 10, price: $(150), ts: DAY - 3_600_000 },
        { symbol: 'AAPL', side: 'buy', quantity: 5, price: $(152), ts: DAY + 3_600_000 },
      ],
      DAY,
    );
    const start = dayStartEquity(cash, positions, today, new Map([['AAPL', $(151)]]), new Map([['AAPL', $(155)]]));
    // At midnight: cash 100,000 − 1,500 = 98,500, plus 10 × 151 = 100,010.
    expect(start).toBe($(100_010));
    const v = value(cash, positions, new Map([['AAPL', $(155)]]), start);
    // 10 × (155 − 151) + 5 × (155 − 152) = 40 + 15 = 55, exactly.
    expect(v.dayPnl).toBe($(55));
  });

  it('a round trip today counts its realized P&L; sold-off overnight shares count from the mark to the sale', () => {
    // Yesterday: 20 MSFT at $400.10. Today MSFT opened at $401.00; sold 20 at $402.35; bought and sold 3 TSLA.
    const { cash, positions, today } = ledger(
      [
        { symbol: 'MSFT', side: 'buy', quantity: 20, price: $(400.1), ts: DAY - 60_000 },
        { symbol: 'MSFT', side: 'sell', quantity: 20, price: $(402.35), ts: DAY + 60_000 },
        { symbol: 'TSLA', side: 'buy', quantity: 3, price: $(250.01), ts: DAY + 120_000 },
        { symbol: 'TSLA', side: 'sell', quantity: 3, price: $(249.9), ts: DAY + 180_000 },
      ],
      DAY,
    );
    const prices = new Map([['MSFT', $(403)], ['TSLA', $(249)]]);
    const start = dayStartEquity(cash, positions, today, new Map([['MSFT', $(401)], ['TSLA', $(250)]]), prices);
    const v = value(cash, positions, prices, start);
    // MSFT: 20 × (402.35 − 401) = 27.00; TSLA: 3 × (249.90 − 250.01) = −0.33.
    expect(v.dayPnl).toBe($(26.67));
  });

  it('nothing traded and no price move since midnight: zero', () => {
    const { cash, positions, today } = ledger([{ symbol: 'AAPL', side: 'buy', quantity: 7, price: $(10.5), ts: DAY - 10 }], DAY);
    const prices = new Map([['AAPL', $(12)]]);
    const start = dayStartEquity(cash, positions, today, new Map([['AAPL', $(12)]]), prices);
    expect(value(cash, positions, prices, start).dayPnl).toBe(0);
  });

  it('a symbol without a mark adds no market move, and one without any price is held at cost', () => {
    const { cash, positions, today } = ledger(
      [
        { symbol: 'AAPL', side: 'buy', quantity: 4, price: $(100), ts: DAY - 10 },
        { symbol: 'NEW', side: 'buy', quantity: 2, price: $(5), ts: DAY - 10 },
      ],
      DAY,
    );
    const prices = new Map([['AAPL', $(103)]]);
    const start = dayStartEquity(cash, positions, today, new Map(), prices);
    expect(value(cash, positions, prices, start).dayPnl).toBe(0);
  });

  it('an account reset today counts from the reset (its fills are gone with it)', () => {
    const start = dayStartEquity($(100_000), [], [], new Map(), new Map());
    expect(value($(100_000), [], new Map(), start).dayPnl).toBe(0);
  });
});
