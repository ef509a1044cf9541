import { describe, expect, it } from 'vitest';
import { Coalescer } from '../../src/domain/coalescer.js';
import { utcDayStart } from '../../src/domain/daily-stats.js';
import { decideBatch, positionKey, spendsPastReservations, type LockedLedger } from '../../src/domain/orders/fill-batch.js';
import { toMoney } from '../../src/domain/orders/money.js';
import type { OrderRecord } from '../../src/domain/orders/records.js';
import type { Tick } from '../../src/domain/tick.js';

const T0 = Date.UTC(2024, 0, 2, 15, 0, 0);
const tick = (symbol: string, seq: number, price: number, size: number): Tick => ({ symbol, price, size, seq, ts: T0 + seq * 1000, source: 'test' });

function order(id: number, fields: Partial<OrderRecord>): OrderRecord {
  return {
    id,
    userId: 1,
    idempotencyKey: null,
    symbol: 'AAPL',
    side: 'buy',
    type: 'market',
    timeInForce: 'gtc',
    quantity: 10,
    filledQuantity: 0,
    filledValue: 0,
    limitPrice: null,
    stopPrice: null,
    status: 'accepted',
    reason: null,
    triggered: false,
    afterSeq: 0,
    day: utcDayStart(T0),
    reserved: 0,
    createdAt: '',
    updatedAt: '',
    ...fields,
  };
}

describe('decideBatch', () => {
  it('decides tick by tick, each order seeing the cash and shares the earlier fills of the batch left', () => {
    // $1,500 of cash, two market buys of 10 holding back $600 each; the price gaps to $80: the
    // first fills for $800, and the second then finds $700 and fills 8, its rest canceled for funds.
    const ledger: LockedLedger = {
      orders: [order(2, { reserved: toMoney(600) }), order(1, { reserved: toMoney(600) }), order(3, { side: 'sell', quantity: 4, symbol: 'MSFT' })],
      cash: new Map([[1, toMoney(1_500)]]),
      reserved: new Map([[1, toMoney(1_200)]]),
      positions: new Map([[positionKey(1, 'MSFT'), { symbol: 'MSFT', quantity: 3, costBasis: toMoney(30), realizedPnl: 0 }]]),
    };
    const outcome = decideBatch(ledger, [tick('AAPL', 5, 80, 100), tick('MSFT', 7, 20, 2), tick('MSFT', 8, 21, 100)]);
    expect(outcome.steps.map((s) => [s.before.id, s.tick.seq, s.match.fill?.quantity, s.after.status, s.after.reason])).toEqual([
      [1, 5, 10, 'filled', null],
      [2, 5, 8, 'canceled', 'INSUFFICIENT_FUNDS'],
      [3, 7, 2, 'partially_filled', null],
      // Only 1 share left to sell: long-only, the rest is canceled.
      [3, 8, 1, 'canceled', 'INSUFFICIENT_POSITION'],
    ]);
    // 1,500 − 800 − 640 + 2 × 20 + 21 = 121.
    expect(outcome.cash.get(1)).toBe(toMoney(121));
    expect(outcome.positions.get(positionKey(1, 'AAPL'))).toEqual({ userId: 1, position: { symbol: 'AAPL', quantity: 18, costBasis: toMoney(1_440), realizedPnl: 0 } });
    expect(outcome.positions.get(positionKey(1, 'MSFT'))?.position.quantity).toBe(0);
    expect(outcome.orders.get(2)).toMatchObject({ filledQuantity: 8, reserved: 0, afterSeq: 5 });
    expect(outcome.orders.get(3)).toMatchObject({ filledQuantity: 3, afterSeq: 8 });
  });

  it('skips ticks at or before what an order has seen, so a replayed batch decides nothing', () => {
    const ledger: LockedLedger = { orders: [order(1, { afterSeq: 9, filledQuantity: 4, status: 'partially_filled' })], cash: new Map([[1, toMoney(1_000)]]), reserved: new Map(), positions: new Map() };
    expect(decideBatch(ledger, [tick('AAPL', 8, 10, 100), tick('AAPL', 9, 10, 100)]).steps).toEqual([]);
    expect(decideBatch(ledger, [tick('AAPL', 10, 10, 2), tick('AAPL', 10, 10, 100)]).steps.map((s) => s.match.fill?.quantity)).toEqual([2]);
  });
});

describe('Coalescer', () => {
  it('sends what was added in one turn as one batch, and what arrives during it as the next', async () => {
    const batches: number[][] = [];
    let release: () => void = () => {};
    const coalescer = new Coalescer<number, number>(async (items) => {
      batches.push([...items]);
      if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return items.map((i) => i * 10);
    });
    const first = [coalescer.add(1), coalescer.add(2)];
    await new Promise((resolve) => setImmediate(resolve));
    const later = [coalescer.add(3), coalescer.add(4)];
    release();
    expect(await Promise.all([...first, ...later])).toEqual([10, 20, 30, 40]);
    expect(batches).toEqual([[1, 2], [3, 4]]);
  });

  it('tries the items of a failed batch again one by one, so only the failing item fails', async () => {
    const batches: number[][] = [];
    const coalescer = new Coalescer<number, number>(async (items) => {
      batches.push([...items]);
      if (items.includes(2)) throw new Error('boom');
      return items;
    });
    const results = await Promise.allSettled([coalescer.add(1), coalescer.add(2), coalescer.add(3)]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([1, 'boom', 3]);
    expect(batches).toEqual([[1, 2, 3], [1], [2], [3]]);
    expect(await coalescer.add(4)).toBe(4);
  });
});

describe('spendsPastReservations', () => {
  const ledger = (orders: OrderRecord[], cash: number, reserved: number): LockedLedger => ({ orders, cash: new Map([[1, toMoney(cash)]]), reserved: new Map([[1, toMoney(reserved)]]), positions: new Map() });

  it('is nobody when every fill pays with what its order held back, or brings cash in', () => {
    // A limit buy of 10 at $50 holds back $500 and fills at $48 or $50; a market buy holding back
    // $600 fills at $55; a sell of shares held.
    const limit = ledger([order(1, { type: 'limit', limitPrice: toMoney(50), reserved: toMoney(500) })], 1_000, 500);
    for (const price of [48, 50]) expect(spendsPastReservations(limit, decideBatch(limit, [tick('AAPL', 5, price, 3)]))).toEqual([]);
    const market = ledger([order(1, { reserved: toMoney(600) })], 1_000, 600);
    expect(spendsPastReservations(market, decideBatch(market, [tick('AAPL', 5, 55, 100)]))).toEqual([]);
    const sell: LockedLedger = { ...ledger([order(1, { side: 'sell', quantity: 2 })], 1_000, 0), positions: new Map([[positionKey(1, 'AAPL'), { symbol: 'AAPL', quantity: 2, costBasis: toMoney(20), realizedPnl: 0 }]]) };
    expect(spendsPastReservations(sell, decideBatch(sell, [tick('AAPL', 5, 12, 100)]))).toEqual([]);
  });

  it('names the owner whose market buy filled past its collar', () => {
    // $600 held back for 10 shares; the price gaps to $70: $700 paid, $100 more than was held back.
    // User 2's market buy, also $600 for 10, fills at $50 within it.
    const both: LockedLedger = {
      ...ledger([order(1, { reserved: toMoney(600) }), order(2, { userId: 2, symbol: 'MSFT', reserved: toMoney(600) })], 1_000, 600),
      cash: new Map([[1, toMoney(1_000)], [2, toMoney(1_000)]]),
      reserved: new Map([[1, toMoney(600)], [2, toMoney(600)]]),
    };
    const outcome = decideBatch(both, [tick('AAPL', 5, 70, 100), tick('MSFT', 6, 50, 100)]);
    expect([outcome.cash.get(1), outcome.cash.get(2)]).toEqual([toMoney(300), toMoney(500)]);
    expect(spendsPastReservations(both, outcome)).toEqual([1]);
  });
});
