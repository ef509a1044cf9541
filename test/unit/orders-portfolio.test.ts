import { describe, expect, it } from 'vitest';
import { prorate, times, toDollars, toMoney } from '../../src/domain/orders/money.js';
import { applyFill, emptyPosition, value, type Fill, type Position } from '../../src/domain/orders/portfolio.js';

function book(fills: Fill[], cash = toMoney(100_000)) {
  let position: Position = emptyPosition('AAPL');
  for (const fill of fills) ({ position, cash } = applyFill(position, cash, fill));
  return { position, cash };
}
const buy = (quantity: number, price: number): Fill => ({ side: 'buy', quantity, price: toMoney(price) });
const sell = (quantity: number, price: number): Fill => ({ side: 'sell', quantity, price: toMoney(price) });

describe('money', () => {
  it('is exact where binary floats are not', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(toMoney(0.1) + toMoney(0.2)).toBe(toMoney(0.3));
    // 3 × $0.10 a hundred thousand times: floats drift, ledger units do not.
    let float = 0;
    let exact = 0;
    for (let i = 0; i < 100_000; i++) {
      float += 0.1 * 3;
      exact += times(toMoney(0.1), 3);
    }
    expect(float).not.toBe(30_000);
    expect(toDollars(exact)).toBe(30_000);
  });

  it('prorates with rounding half away from zero, and the parts add up to the whole', () => {
    expect(prorate(10, 1, 3)).toBe(3);
    expect(prorate(20, 1, 3)).toBe(7);
    expect(prorate(-20, 1, 3)).toBe(-7);
    expect(prorate(100, 3, 3)).toBe(100);
    const whole = 1_000_003;
    const first = prorate(whole, 1, 3);
    const second = prorate(whole - first, 1, 2);
    expect(first + second + (whole - first - second)).toBe(whole);
  });

  it('refuses amounts beyond the exact range instead of rounding them', () => {
    expect(() => times(toMoney(1_000_000), 1_000_000)).toThrow(RangeError);
  });
});

describe('average cost and realized P&L', () => {
  it('buys add to the basis; the average cost is basis over quantity', () => {
    const { position, cash } = book([buy(10, 100), buy(30, 104)]);
    expect(position).toEqual({ symbol: 'AAPL', quantity: 40, costBasis: toMoney(4_120), realizedPnl: 0 });
    expect(toDollars(position.costBasis) / position.quantity).toBe(103);
    expect(cash).toBe(toMoney(100_000 - 4_120));
  });

  it('sells realize proceeds minus the sold shares’ share of the basis', () => {
    const { position, cash } = book([buy(10, 100), buy(30, 104), sell(20, 110)]);
    // average 103: 20 × (110 − 103) = 140 realized; 20 shares left at 103.
    expect(position).toEqual({ symbol: 'AAPL', quantity: 20, costBasis: toMoney(2_060), realizedPnl: toMoney(140) });
    expect(cash).toBe(toMoney(100_000 - 4_120 + 2_200));
  });

  it('selling in pieces at an average cost with a repeating decimal loses nothing to rounding', () => {
    // 3 shares for $10.00 in total: $3.3333… each.
    const { position, cash } = book([buy(1, 3), buy(1, 3), buy(1, 4), sell(1, 5), sell(1, 5), sell(1, 5)]);
    expect(position.quantity).toBe(0);
    expect(position.costBasis).toBe(0);
    expect(position.realizedPnl).toBe(toMoney(15 - 10));
    expect(cash).toBe(toMoney(100_000 + 5));
  });

  it('a loss is realized as a negative amount', () => {
    expect(book([buy(10, 50.25), sell(10, 49.75)]).position.realizedPnl).toBe(toMoney(-5));
  });

  it('selling more than is held is refused (long-only)', () => {
    expect(() => book([buy(1, 10), sell(2, 10)])).toThrow(RangeError);
  });

  it('sub-dollar prices in hundredths of a cent stay exact', () => {
    const { position, cash } = book([buy(3, 0.1234), sell(1, 0.2)], toMoney(1));
    expect(position.costBasis).toBe(2 * 1234);
    expect(position.realizedPnl).toBe(2000 - 1234);
    expect(cash).toBe(toMoney(1) - 3 * 1234 + 2000);
  });
});

describe('valuation', () => {
  it('values positions at the latest price: market value, unrealized and realized P&L, equity, day P&L', () => {
    const { position, cash } = book([buy(10, 100), buy(30, 104), sell(20, 110)]);
    const msft: Position = { symbol: 'MSFT', quantity: 5, costBasis: toMoney(2_000), realizedPnl: 0 };
    const v = value(cash, [position, msft], new Map([['AAPL', toMoney(101.5)]]), toMoney(100_000));
    expect(v.positions[0]).toMatchObject({ marketValue: toMoney(2_030), unrealizedPnl: toMoney(-30), realizedPnl: toMoney(140) });
    // No MSFT price yet: valued at cost.
    expect(v.positions[1]).toMatchObject({ price: undefined, marketValue: toMoney(2_000), unrealizedPnl: 0 });
    expect(v.equity).toBe(cash + toMoney(4_030));
    expect(v.unrealizedPnl).toBe(toMoney(-30));
    expect(v.realizedPnl).toBe(toMoney(140));
    expect(v.dayPnl).toBe(v.equity - toMoney(100_000));
    // MSFT was never paid for in this ledger: only its value at cost is added.
    expect(toDollars(v.equity)).toBe(100_000 - 4_120 + 2_200 + 2_030 + 2_000);
  });
});
