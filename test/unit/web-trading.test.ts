import { describe, expect, it } from 'vitest';
import type { Notices } from '../../web/src/app/notices.js';
import type { UiStore } from '../../web/src/app/state.js';
import { Trading } from '../../web/src/app/trading.js';
import type { ActivityLog } from '../../web/src/lib/activity.js';
import { ApiError } from '../../web/src/lib/api.js';
import { checkTicket, orderName, type TicketDraft } from '../../web/src/lib/order-ticket.js';
import { markPortfolio } from '../../web/src/lib/portfolio-marks.js';
import { Store } from '../../web/src/lib/store.js';
import type { TradingApi, WireOrder, WirePortfolio } from '../../web/src/lib/trading-api.js';

const portfolio = (over: Partial<WirePortfolio> = {}): WirePortfolio => ({
  cash: 98_984.5,
  buyingPower: 98_984.5,
  startingCash: 100_000,
  equity: 100_002,
  marketValue: 1_017.5,
  unrealizedPnl: 2,
  realizedPnl: 0,
  totalPnl: 2,
  dayPnl: 2,
  dayStart: '2026-12-06T00:00:00.000Z',
  lotSize: 1,
  positions: [{ symbol: 'AAPL', quantity: 10, averageCost: 101.55, price: 101.75, marketValue: 1_017.5, unrealizedPnl: 2, realizedPnl: 0 }],
  ...over,
});

const order = (over: Partial<WireOrder> = {}): WireOrder => ({
  id: 7,
  symbol: 'AAPL',
  side: 'buy',
  type: 'market',
  timeInForce: 'day',
  quantity: 10,
  filledQuantity: 0,
  limitPrice: null,
  stopPrice: null,
  averageFillPrice: null,
  status: 'new',
  reason: null,
  createdAt: '2026-12-06T23:00:00.000Z',
  updatedAt: '2026-12-06T23:00:00.000Z',
  ...over,
});

const draft = (over: Partial<TicketDraft> = {}): TicketDraft => ({ symbol: 'AAPL', side: 'buy', type: 'market', quantity: '10', limitPrice: '', stopPrice: '', timeInForce: 'day', ...over });
const account = { portfolio: portfolio(), openOrders: [] as WireOrder[], latest: 101.75 };

describe('the order ticket checks with the server’s rules and codes', () => {
  it('refuses the shape the server refuses, naming the field', () => {
    expect(checkTicket(draft({ quantity: '' }), account)).toMatchObject({ ok: false, code: 'INVALID_QUANTITY', field: 'quantity' });
    expect(checkTicket(draft({ quantity: '1.5' }), account)).toMatchObject({ ok: false, code: 'INVALID_QUANTITY', field: 'quantity' });
    expect(checkTicket(draft({ quantity: '0' }), account)).toMatchObject({ ok: false, code: 'INVALID_QUANTITY' });
    expect(checkTicket(draft({ type: 'limit' }), account)).toMatchObject({ ok: false, code: 'INVALID_ORDER_PRICE', field: 'limitPrice', message: 'a limit order needs limitPrice.' });
    expect(checkTicket(draft({ type: 'limit', limitPrice: '10.005' }), account)).toMatchObject({ ok: false, code: 'INVALID_ORDER_PRICE', field: 'limitPrice' });
    // A valid sub-dollar limit (hundredths of a cent) with a stop off the grid: the stop is named.
    expect(checkTicket(draft({ type: 'stop_limit', limitPrice: '0.5012', stopPrice: '1.005' }), account)).toMatchObject({ ok: false, code: 'INVALID_ORDER_PRICE', field: 'stopPrice' });
    expect(checkTicket(draft({ type: 'stop', stopPrice: '120', timeInForce: 'ioc' }), account)).toMatchObject({ ok: false, code: 'INVALID_TIME_IN_FORCE', field: 'timeInForce' });
    // The server's lot size, as its portfolio tells it.
    const inLots = { ...account, portfolio: portfolio({ lotSize: 5 }) };
    expect(checkTicket(draft({ quantity: '12' }), inLots)).toMatchObject({ ok: false, code: 'INVALID_QUANTITY', field: 'quantity' });
    expect(checkTicket(draft({ quantity: '15' }), inLots)).toMatchObject({ ok: true });
  });

  it('checks buying power and holdings on the account as the page sees it', () => {
    // 1,000 × 101.75 × 1.05 (the market collar) is more than the buying power.
    expect(checkTicket(draft({ quantity: '1000' }), account)).toMatchObject({ ok: false, code: 'INSUFFICIENT_FUNDS', field: 'quantity' });
    expect(checkTicket(draft({ type: 'limit', limitPrice: '1', quantity: '1000' }), account)).toMatchObject({ ok: true });
    expect(checkTicket(draft({ side: 'sell', quantity: '11' }), account)).toMatchObject({ ok: false, code: 'INSUFFICIENT_POSITION' });
    const selling = [order({ side: 'sell', type: 'limit', limitPrice: 200, quantity: 8, filledQuantity: 2, status: 'partially_filled' })];
    expect(checkTicket(draft({ side: 'sell', quantity: '5' }), { ...account, openOrders: selling })).toMatchObject({ ok: false, code: 'INSUFFICIENT_POSITION' });
    expect(checkTicket(draft({ side: 'sell', quantity: '4' }), { ...account, openOrders: selling })).toMatchObject({ ok: true });
    // Without the portfolio, or without a price for a market buy, the server decides.
    expect(checkTicket(draft({ quantity: '1000' }), { ...account, portfolio: undefined })).toMatchObject({ ok: true });
    expect(checkTicket(draft({ quantity: '1000' }), { ...account, latest: undefined })).toMatchObject({ ok: true });
  });

  it('sends only the prices the type takes', () => {
    expect(checkTicket(draft({ limitPrice: '5', stopPrice: '6' }), account)).toEqual({ ok: true, order: { symbol: 'AAPL', side: 'buy', type: 'market', quantity: 10, limitPrice: undefined, stopPrice: undefined, timeInForce: 'day' } });
    const limit = checkTicket(draft({ type: 'limit', limitPrice: '101.5', stopPrice: '6', timeInForce: 'gtc' }), account);
    expect(limit).toMatchObject({ ok: true, order: { limitPrice: 101.5, timeInForce: 'gtc' } });
    expect(JSON.parse(JSON.stringify(limit.ok && limit.order))).not.toHaveProperty('stopPrice');
  });

  it('names orders for people', () => {
    expect(orderName(order({ type: 'limit', limitPrice: 1, quantity: 3 }))).toBe('buy 3 AAPL limit 1.00');
    expect(orderName(order({ side: 'sell', type: 'stop_limit', stopPrice: 410, limitPrice: 409.5 }))).toBe('sell 10 AAPL stop-limit stop 410.00 limit 409.50');
  });
});

describe('positions marked at live prices', () => {
  it('moves market value, unrealized, equity and day P&L with the price, exactly', () => {
    const marked = markPortfolio(portfolio(), (s) => (s === 'AAPL' ? 101.8 : undefined));
    expect(marked.positions[0]).toMatchObject({ price: 101.8, marketValue: 1_018, unrealizedPnl: 2.5, live: true });
    expect(marked).toMatchObject({ equity: 100_002.5, marketValue: 1_018, unrealizedPnl: 2.5, dayPnl: 2.5, totalPnl: 2.5, cash: 98_984.5, realizedPnl: 0 });
    // Sums of binary fractions would not be exact here (0.1 + 0.2); ledger units are.
    const cents = markPortfolio(portfolio({ positions: [{ symbol: 'X', quantity: 3, averageCost: 0.1, price: 0.1, marketValue: 0.3, unrealizedPnl: 0, realizedPnl: 0 }], marketValue: 0.3, unrealizedPnl: 0, equity: 0.3, totalPnl: 0, dayPnl: 0 }), () => 0.2);
    expect(cents).toMatchObject({ equity: 0.6, unrealizedPnl: 0.3, positions: [{ marketValue: 0.6, unrealizedPnl: 0.3 }] });
  });

  it('keeps the server’s mark for symbols without a live price', () => {
    const marked = markPortfolio(portfolio(), () => undefined);
    expect(marked.positions[0]).toMatchObject({ price: 101.75, marketValue: 1_017.5, live: false });
    expect(marked.equity).toBe(100_002);
  });
});

describe('the trading slice', () => {
  const setup = (api: Partial<TradingApi> = {}) => {
    const ui = new Store({ account: { session: { token: 'tok' } } }) as unknown as UiStore;
    const toasts: string[] = [];
    const lines: string[] = [];
    const signedOut: string[] = [];
    const fake: Partial<TradingApi> = {
      available: async () => true,
      portfolio: async () => portfolio(),
      openOrders: async () => [],
      fills: async () => [],
      ...api,
    };
    const trading = new Trading({
      ui,
      api: fake as TradingApi,
      activity: { add: (_type: string, text: string) => lines.push(text) } as unknown as ActivityLog,
      notices: { toast: (title: string, text: string) => toasts.push(`${title}: ${text}`) } as unknown as Notices,
      signOut: (reason) => signedOut.push(reason),
    });
    return { ui, trading, toasts, lines, signedOut };
  };

  it('announces each fill once, whichever of the REST answer and the socket comes first', async () => {
    const { trading, toasts, lines } = setup({ submit: async () => order({ status: 'new' }) });
    await trading.start();
    const filled = order({ status: 'filled', filledQuantity: 10, averageFillPrice: 101.55, updatedAt: '2026-12-06T23:00:00.100Z' });
    // The socket's fill arrives before the submission's answer (status new).
    trading.onMessage({ type: 'order', order: order({ status: 'accepted' }) });
    trading.onMessage({ type: 'order', order: filled });
    await trading.submit({ symbol: 'AAPL', side: 'buy', type: 'market', quantity: 10, timeInForce: 'day' });
    trading.onMessage({ type: 'order', order: filled });
    expect(toasts).toEqual(['Order filled: Bought 10 AAPL — 10 of 10 filled at 101.55 average (order #7).']);
    expect(trading.state.get().openOrders).toEqual([]);
    expect(trading.state.get().submitted?.status).toBe('filled');
    expect(lines).toEqual(['#7 buy 10 AAPL market day: accepted', '#7 buy 10 AAPL market day: filled, 10/10 filled at 101.55 avg']);
  });

  it('toasts partial fills with what filled since the last one; open orders follow the statuses', async () => {
    const { trading, toasts } = setup();
    await trading.start();
    trading.onMessage({ type: 'order', order: order({ type: 'limit', limitPrice: 100, status: 'accepted' }) });
    expect(trading.state.get().openOrders.map((o) => o.id)).toEqual([7]);
    trading.onMessage({ type: 'order', order: order({ type: 'limit', limitPrice: 100, status: 'partially_filled', filledQuantity: 4, averageFillPrice: 100 }) });
    trading.onMessage({ type: 'order', order: order({ type: 'limit', limitPrice: 100, status: 'canceled', filledQuantity: 4, averageFillPrice: 100, reason: 'CANCELED_BY_USER', updatedAt: '2026-12-06T23:00:01.000Z' }) });
    // A late, older copy does not reopen it.
    trading.onMessage({ type: 'order', order: order({ type: 'limit', limitPrice: 100, status: 'accepted' }) });
    expect(toasts).toEqual(['Order partially filled: Bought 4 AAPL — 4 of 10 filled at 100.00 average (order #7).']);
    expect(trading.state.get().openOrders).toEqual([]);
  });

  it('toasts an order the engine rejected, once, with why', async () => {
    const { trading, toasts, lines } = setup();
    await trading.start();
    trading.onMessage({ type: 'order', order: order({ status: 'accepted' }) });
    const rejected = order({ status: 'rejected', reason: 'INSUFFICIENT_FUNDS', updatedAt: '2026-12-06T23:00:01.000Z' });
    trading.onMessage({ type: 'order', order: rejected });
    trading.onMessage({ type: 'order', order: rejected });
    expect(toasts).toEqual(['Order rejected: buy 10 AAPL market: not enough cash at the price it would have filled at (order #7).']);
    expect(lines.at(-1)).toBe('#7 buy 10 AAPL market day: rejected (INSUFFICIENT_FUNDS)');
    expect(trading.state.get().openOrders).toEqual([]);
  });

  it('reuses the Idempotency-Key only for the same order sent again after no answer', async () => {
    const keys: string[] = [];
    let fail: Error | undefined = new TypeError('network down');
    const { trading } = setup({
      submit: async (_token, _order, key) => {
        keys.push(key);
        if (fail) throw fail;
        return order();
      },
    });
    await trading.start();
    const body = { symbol: 'AAPL', side: 'buy', type: 'market', quantity: 10, timeInForce: 'day' } as const;
    await trading.submit(body);
    fail = undefined;
    await trading.submit(body);
    await trading.submit(body);
    expect(keys[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
    fail = new ApiError(422, 'INSUFFICIENT_FUNDS', 'no');
    await trading.submit(body);
    await trading.submit(body);
    expect(keys[4]).not.toBe(keys[3]);
    expect(trading.state.get().error).toBe('no (INSUFFICIENT_FUNDS)');
  });

  it('stays out of the way on a server without paper trading', async () => {
    const { trading } = setup({ available: async () => false, portfolio: async () => Promise.reject(new Error('must not be called')) });
    await trading.start();
    await trading.load();
    expect(trading.state.get()).toMatchObject({ available: false, token: undefined, portfolio: undefined, error: undefined });
  });

  it('ends the session on 401 and forgets everything on sign-out', async () => {
    const { ui, trading, signedOut } = setup({ cancel: async () => Promise.reject(new ApiError(401, 'INVALID_TOKEN', 'expired')) });
    await trading.start();
    await trading.load();
    expect(trading.state.get().portfolio?.cash).toBe(98_984.5);
    await trading.cancel(order());
    expect(signedOut).toEqual(['Your session expired; log in again.']);
    ui.set({ account: { session: undefined } } as never);
    expect(trading.state.get()).toMatchObject({ token: undefined, portfolio: undefined, openOrders: [], fills: [] });
    trading.onMessage({ type: 'portfolio', portfolio: portfolio() });
    expect(trading.state.get().portfolio).toBeUndefined();
  });
});
