import { describe, expect, it } from 'vitest';
import { utcDayStart } from '../../src/domain/daily-stats.js';
import { admit, reservationAfterFill, reservationPrice } from '../../src/domain/orders/buying-power.js';
import { matchTick, type FillBounds } from '../../src/domain/orders/matching.js';
import { toMoney } from '../../src/domain/orders/money.js';
import { checkOrder, type OrderInput, type OrderState } from '../../src/domain/orders/order.js';
import type { Tick } from '../../src/domain/tick.js';

const T0 = Date.UTC(2024, 0, 2, 15, 0, 0);
const RICH: FillBounds = { spendable: toMoney(10_000_000), held: 1_000_000 };

function order(input: Partial<OrderInput> & Partial<Pick<OrderState, 'filledQuantity' | 'triggered' | 'status' | 'afterSeq'>> = {}): OrderState {
  const checked = checkOrder({ symbol: 'AAPL', side: 'buy', type: 'market', quantity: 100, ...input });
  if (!checked.ok) throw new Error(checked.message);
  return { ...checked.value, id: 1, userId: 1, status: input.status ?? 'accepted', filledQuantity: input.filledQuantity ?? 0, triggered: input.triggered ?? false, afterSeq: input.afterSeq ?? 10, day: utcDayStart(T0), reserved: 0 };
}

const tick = (seq: number, price: number, size = 1_000, ts = T0 + seq * 1000): Tick => ({ symbol: 'AAPL', price, size, seq, ts, source: 'test' });

/** Runs ticks through the matcher the way the orders role does, returning the fills. */
function run(start: OrderState, ticks: Tick[], bounds: FillBounds = RICH) {
  let state = start;
  const fills: { seq: number; quantity: number; price: number }[] = [];
  for (const t of ticks) {
    const match = matchTick(state, t, bounds);
    if (!match) continue;
    if (match.fill) fills.push({ seq: t.seq, quantity: match.fill.quantity, price: match.fill.price / 10_000 });
    state = { ...state, status: match.status, triggered: match.triggered, filledQuantity: state.filledQuantity + (match.fill?.quantity ?? 0) };
  }
  return { state, fills };
}

describe('checkOrder', () => {
  it('accepts every type with the prices it needs, defaulting time in force to day', () => {
    expect(checkOrder({ symbol: 'AAPL', side: 'buy', type: 'market', quantity: 1 })).toMatchObject({ ok: true, value: { timeInForce: 'day', limitPrice: null, stopPrice: null } });
    expect(checkOrder({ symbol: 'AAPL', side: 'sell', type: 'limit', quantity: 5, limitPrice: 150.45 })).toMatchObject({ ok: true, value: { limitPrice: 1_504_500 } });
    expect(checkOrder({ symbol: 'AAPL', side: 'buy', type: 'stop', quantity: 5, stopPrice: 151 })).toMatchObject({ ok: true, value: { stopPrice: 1_510_000 } });
    expect(checkOrder({ symbol: 'AAPL', side: 'buy', type: 'stop_limit', quantity: 5, stopPrice: 151, limitPrice: 152, timeInForce: 'gtc' })).toMatchObject({ ok: true });
    expect(checkOrder({ symbol: 'PENNY', side: 'buy', type: 'limit', quantity: 5, limitPrice: 0.1234 })).toMatchObject({ ok: true, value: { limitPrice: 1234 } });
  });

  it('refuses with a stable code per field', () => {
    const code = (input: Partial<OrderInput>) => {
      const r = checkOrder({ symbol: 'AAPL', side: 'buy', type: 'market', quantity: 1, ...input });
      return r.ok ? 'ok' : r.code;
    };
    expect(code({ side: 'short' })).toBe('INVALID_SIDE');
    expect(code({ type: 'trailing_stop' })).toBe('INVALID_ORDER_TYPE');
    expect(code({ timeInForce: 'fok' })).toBe('INVALID_TIME_IN_FORCE');
    expect(code({ quantity: 0 })).toBe('INVALID_QUANTITY');
    expect(code({ quantity: 1.5 })).toBe('INVALID_QUANTITY');
    expect(code({ quantity: 1_000_001 })).toBe('INVALID_QUANTITY');
    expect(code({ type: 'limit' })).toBe('INVALID_ORDER_PRICE');
    expect(code({ limitPrice: 10 })).toBe('INVALID_ORDER_PRICE');
    expect(code({ type: 'limit', limitPrice: 10.005 })).toBe('INVALID_ORDER_PRICE');
    expect(code({ type: 'limit', limitPrice: 0.00001 })).toBe('INVALID_ORDER_PRICE');
    expect(code({ type: 'limit', limitPrice: -1 })).toBe('INVALID_ORDER_PRICE');
    expect(code({ type: 'stop_limit', stopPrice: 10 })).toBe('INVALID_ORDER_PRICE');
    expect(code({ type: 'stop', stopPrice: 10, timeInForce: 'ioc' })).toBe('INVALID_TIME_IN_FORCE');
  });

  it('with a lot size, takes buys in whole lots only, and sells of any size (odd lots stay closable)', () => {
    expect(checkOrder({ symbol: 'AAPL', side: 'buy', type: 'market', quantity: 300 }, 100)).toMatchObject({ ok: true, value: { quantity: 300 } });
    expect(checkOrder({ symbol: 'AAPL', side: 'buy', type: 'market', quantity: 250 }, 100)).toEqual({ ok: false, code: 'INVALID_QUANTITY', message: 'a buy\'s quantity must be a whole number of lots of 100 shares.' });
    expect(checkOrder({ symbol: 'AAPL', side: 'sell', type: 'market', quantity: 45 }, 100)).toMatchObject({ ok: true, value: { quantity: 45 } });
    expect(checkOrder({ symbol: 'AAPL', side: 'buy', type: 'market', quantity: 250 })).toMatchObject({ ok: true });
  });
});

describe('matchTick', () => {
  it('a market order fills at the next tick after submission, not on ticks it was submitted into', () => {
    const { state, fills } = run(order({ afterSeq: 10 }), [tick(9, 99), tick(10, 100), tick(11, 101.5)]);
    expect(fills).toEqual([{ seq: 11, quantity: 100, price: 101.5 }]);
    expect(state.status).toBe('filled');
  });

  it("a tick's size bounds the fill: a large order fills partially across ticks", () => {
    const { state, fills } = run(order({ quantity: 250 }), [tick(11, 100, 100), tick(12, 100.1, 30), tick(13, 100.2, 500)]);
    expect(fills.map((f) => f.quantity)).toEqual([100, 30, 120]);
    expect(state.status).toBe('filled');
    const partial = run(order({ quantity: 250 }), [tick(11, 100, 100)]).state;
    expect(partial).toMatchObject({ status: 'partially_filled', filledQuantity: 100 });
  });

  it('limit buys fill at or below the limit, at the tick price when it gaps through', () => {
    const { fills } = run(order({ type: 'limit', limitPrice: 100 }), [tick(11, 100.01), tick(12, 97.5)]);
    expect(fills).toEqual([{ seq: 12, quantity: 100, price: 97.5 }]);
    expect(run(order({ type: 'limit', limitPrice: 100 }), [tick(11, 100)]).fills).toHaveLength(1);
  });

  it('limit sells fill at or above the limit', () => {
    const { fills } = run(order({ side: 'sell', type: 'limit', limitPrice: 100 }), [tick(11, 99.99), tick(12, 103)]);
    expect(fills).toEqual([{ seq: 12, quantity: 100, price: 103 }]);
  });

  it('a stop triggers on a tick through it and fills on that tick at its price, however far it gapped', () => {
    const buy = run(order({ type: 'stop', stopPrice: 105 }), [tick(11, 104.99), tick(12, 110)]);
    expect(buy.fills).toEqual([{ seq: 12, quantity: 100, price: 110 }]);
    const sell = run(order({ side: 'sell', type: 'stop', stopPrice: 95 }), [tick(11, 95.01), tick(12, 90)]);
    expect(sell.fills).toEqual([{ seq: 12, quantity: 100, price: 90 }]);
  });

  it('a stop-limit triggers, then rests as a limit when the triggering tick gapped past the limit', () => {
    const start = order({ type: 'stop_limit', stopPrice: 105, limitPrice: 106 });
    const gapped = matchTick(start, tick(11, 108), RICH);
    expect(gapped).toEqual({ status: 'accepted', triggered: true });
    const { fills, state } = run(start, [tick(11, 108), tick(12, 107), tick(13, 104)]);
    // 104 is below the stop, but the order was triggered already and 104 satisfies the limit.
    expect(fills).toEqual([{ seq: 13, quantity: 100, price: 104 }]);
    expect(state.triggered).toBe(true);
    expect(run(start, [tick(11, 105.5)]).fills).toEqual([{ seq: 11, quantity: 100, price: 105.5 }]);
    expect(run(start, [tick(11, 104)]).fills).toEqual([]);
  });

  it('a sell stop-limit triggers at or below its stop, then sells at its limit or better', () => {
    const start = order({ side: 'sell', type: 'stop_limit', stopPrice: 95, limitPrice: 94 });
    // 96 does not trigger; 93 triggers but is below the limit, so it rests; 94.5 sells.
    expect(matchTick(start, tick(11, 96), RICH)).toBeUndefined();
    expect(matchTick(start, tick(11, 93), RICH)).toEqual({ status: 'accepted', triggered: true });
    expect(run(start, [tick(11, 96), tick(12, 93), tick(13, 94.5)]).fills).toEqual([{ seq: 13, quantity: 100, price: 94.5 }]);
    // Triggered and marketable on the same tick: filled on it.
    expect(run(start, [tick(11, 94.8)]).fills).toEqual([{ seq: 11, quantity: 100, price: 94.8 }]);
  });

  it('ioc: the first tick decides; the unfilled rest is canceled', () => {
    expect(run(order({ type: 'limit', limitPrice: 100, timeInForce: 'ioc' }), [tick(11, 101), tick(12, 99)])).toMatchObject({ fills: [], state: { status: 'canceled' } });
    const partial = run(order({ timeInForce: 'ioc', quantity: 300 }), [tick(11, 100, 120), tick(12, 100)]);
    expect(partial.fills).toEqual([{ seq: 11, quantity: 120, price: 100 }]);
    expect(partial.state.status).toBe('canceled');
    expect(matchTick(order({ type: 'limit', limitPrice: 100, timeInForce: 'ioc' }), tick(11, 101), RICH)?.reason).toBe('IOC_UNFILLED');
  });

  it('day orders expire on the first tick of a later UTC day; gtc orders do not', () => {
    const tomorrow = tick(11, 100, 1_000, utcDayStart(T0) + 86_400_000);
    expect(matchTick(order({ type: 'limit', limitPrice: 90 }), tomorrow, RICH)).toEqual({ status: 'expired', triggered: false, reason: 'DAY_ENDED' });
    expect(run(order({ type: 'limit', limitPrice: 110, timeInForce: 'gtc' }), [tomorrow]).fills).toHaveLength(1);
  });

  it('at fill, funds bound a buy and holdings bound a sell; the rest is canceled with the reason', () => {
    const poor = matchTick(order({ quantity: 100 }), tick(11, 100), { spendable: toMoney(4_550), held: 0 });
    expect(poor).toEqual({ fill: { quantity: 45, price: toMoney(100) }, status: 'canceled', triggered: false, reason: 'INSUFFICIENT_FUNDS' });
    // Not a share affordable, but part of the order filled before: the rest is canceled.
    const later = matchTick(order({ quantity: 100, filledQuantity: 40, status: 'partially_filled' }), tick(11, 100), { spendable: toMoney(50), held: 0 });
    expect(later).toMatchObject({ fill: undefined, status: 'canceled', reason: 'INSUFFICIENT_FUNDS' });
    const sell = matchTick(order({ side: 'sell', quantity: 100 }), tick(11, 100), { spendable: 0, held: 30 });
    expect(sell).toEqual({ fill: { quantity: 30, price: toMoney(100) }, status: 'canceled', triggered: false, reason: 'INSUFFICIENT_POSITION' });
  });

  it('a buy past its collar keeps its rest only while the cash left still covers what the rest holds back', () => {
    // 10 shares holding back $1,050 ($105 each); cash not held back by other orders: $1,050.
    const market = (spendable: number) => matchTick({ ...order({ quantity: 10 }), reserved: toMoney(1_050) }, tick(11, 120, 5), { spendable: toMoney(spendable), held: 0 });
    // 5 at $120 = $600 leaves $450, short of the $525 the other 5 hold back: the rest is canceled.
    expect(market(1_050)).toEqual({ fill: { quantity: 5, price: toMoney(120) }, status: 'canceled', triggered: false, reason: 'INSUFFICIENT_FUNDS' });
    // With $1,125 free, $525 is left for the rest: it stays open.
    expect(market(1_125)).toEqual({ fill: { quantity: 5, price: toMoney(120) }, status: 'partially_filled', triggered: false });
    // Within its reservation a fill never needs that: a limit buy at $105 filling at $100.
    const limit = matchTick({ ...order({ type: 'limit', limitPrice: 105, quantity: 10 }), reserved: toMoney(1_050) }, tick(11, 100, 5), { spendable: toMoney(1_050), held: 0 });
    expect(limit).toMatchObject({ fill: { quantity: 5 }, status: 'partially_filled' });
  });

  it('an order that cannot fill a single share at its first chance is rejected with the reason', () => {
    const broke = matchTick(order({ quantity: 100 }), tick(11, 100), { spendable: toMoney(50), held: 0 });
    expect(broke).toEqual({ fill: undefined, status: 'rejected', triggered: false, reason: 'INSUFFICIENT_FUNDS' });
    const nothingHeld = matchTick(order({ side: 'sell', type: 'stop', stopPrice: 101, quantity: 10 }), tick(11, 100), { spendable: 0, held: 0 });
    expect(nothingHeld).toEqual({ fill: undefined, status: 'rejected', triggered: true, reason: 'INSUFFICIENT_POSITION' });
    // A tick that fills nothing for other reasons (a limit not reached) rejects nothing.
    expect(matchTick(order({ type: 'limit', limitPrice: 90 }), tick(11, 100), { spendable: 0, held: 0 })).toBeUndefined();
    expect(matchTick(order({ status: 'rejected' }), tick(12, 100), RICH)).toBeUndefined();
  });

  it('closed orders and other symbols are left alone', () => {
    expect(matchTick(order({ status: 'filled' }), tick(11, 100), RICH)).toBeUndefined();
    expect(matchTick(order({ status: 'canceled' }), tick(11, 100), RICH)).toBeUndefined();
    expect(matchTick(order(), { ...tick(11, 100), symbol: 'MSFT' }, RICH)).toBeUndefined();
  });

  it('the same tick decided twice gives the same answer (the database keys fills by order and seq)', () => {
    const o = order({ quantity: 250 });
    expect(matchTick(o, tick(11, 100, 100), RICH)).toEqual(matchTick(o, tick(11, 100, 100), RICH));
  });
});

describe('buying power', () => {
  const account = { cash: toMoney(10_000), reserved: toMoney(2_000), held: 50, pendingSells: 20 };
  const req = (input: Partial<OrderInput>) => {
    const r = checkOrder({ symbol: 'AAPL', side: 'buy', type: 'market', quantity: 10, ...input });
    if (!r.ok) throw new Error(r.message);
    return r.value;
  };

  it('a limit buy holds back its limit × quantity out of cash minus open reservations', () => {
    expect(admit(req({ type: 'limit', limitPrice: 800, quantity: 10 }), account, toMoney(100))).toEqual({ ok: true, reserve: toMoney(8_000) });
    expect(admit(req({ type: 'limit', limitPrice: 800.01, quantity: 10 }), account, toMoney(100))).toMatchObject({ ok: false, code: 'INSUFFICIENT_FUNDS' });
  });

  it('market and stop buys hold back the latest (or stop) price plus the collar', () => {
    expect(reservationPrice(req({}), toMoney(100))).toBe(toMoney(105));
    expect(reservationPrice(req({ type: 'stop', stopPrice: 120 }), toMoney(100))).toBe(toMoney(126));
    expect(admit(req({ quantity: 76 }), account, toMoney(100))).toEqual({ ok: true, reserve: toMoney(7_980) });
    expect(admit(req({ quantity: 77 }), account, toMoney(100))).toMatchObject({ ok: false, code: 'INSUFFICIENT_FUNDS' });
  });

  it('long-only: a sell takes at most what is held and not already on sale', () => {
    expect(admit(req({ side: 'sell', quantity: 30 }), account, toMoney(100))).toEqual({ ok: true, reserve: 0 });
    expect(admit(req({ side: 'sell', quantity: 31 }), account, toMoney(100))).toMatchObject({ ok: false, code: 'INSUFFICIENT_POSITION' });
  });

  it('a partly filled order keeps its share of the reservation', () => {
    expect(reservationAfterFill(toMoney(1_000), 100, 40)).toBe(toMoney(400));
    expect(reservationAfterFill(toMoney(1_000), 100, 0)).toBe(0);
  });
});
