import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register, startTradingServer, type Order, type Rest } from '../support/paper-trading.js';
import type { RunningServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { TestClient, type ServerMessage } from '../support/ws-client.js';

/**
 * PAPER_LOT_SIZE on the embedded default: buys in whole lots only (INVALID_QUANTITY otherwise,
 * before anything is stored), sells of any size, and clients told the lot in the portfolio — over REST and in the
 * `portfolio` message — so a ticket can check it before sending.
 */
let server: RunningServer;
let api: Rest;
let client: TestClient | undefined;

beforeAll(async () => {
  ({ server, api } = await startTradingServer({ PAPER_LOT_SIZE: '10' }));
}, 120_000);

afterAll(async () => {
  client?.close();
  await server?.stop();
});

describe('orders in lots', () => {
  it('takes whole lots, refuses the rest with INVALID_QUANTITY, and tells clients the lot', async () => {
    const trader = await register(api, 'lots');
    client = await TestClient.connect(`${server.ws}?symbols=&token=${trader.token}`);
    expect((await api('POST', '/api/v1/test/ticks', undefined, { ticks: [{ symbol: 'AAPL', price: 100, size: 1_000, seq: 1 }] })).status).toBe(202);
    await waitFor(async () => (await api<{ data?: { price: number } }>('GET', '/price/AAPL')).body.data?.price === 100, 'a first AAPL price');

    const odd = await api<{ error: { code: string; message: string } }>('POST', '/api/v1/orders', trader.token, { symbol: 'AAPL', side: 'buy', type: 'market', quantity: 15 });
    expect([odd.status, odd.body.error.code, odd.body.error.message]).toEqual([400, 'INVALID_QUANTITY', 'a buy\'s quantity must be a whole number of lots of 10 shares.']);
    expect((await api<{ orders: Order[] }>('GET', '/api/v1/orders', trader.token)).body.orders).toEqual([]);

    const whole = await api<Order>('POST', '/api/v1/orders', trader.token, { symbol: 'AAPL', side: 'buy', type: 'market', quantity: 20 });
    expect(whole.status).toBe(201);
    expect((await api<{ lotSize: number }>('GET', '/api/v1/portfolio', trader.token)).body.lotSize).toBe(10);
    await client.waitForMessage((m) => m.type === 'order' && (m as ServerMessage & { order: Order }).order.status === 'accepted', 'accepted', 15_000);
    expect((await api('POST', '/api/v1/test/ticks', undefined, { ticks: [{ symbol: 'AAPL', price: 100.5, size: 1_000, seq: 2 }] })).status).toBe(202);
    const message = (await client.waitForMessage((m) => m.type === 'portfolio', 'a portfolio message', 15_000)) as ServerMessage & { portfolio: { lotSize: number; positions: { quantity: number }[] } };
    expect(message.portfolio.lotSize).toBe(10);
    // A sell is not bound to lots: an odd lot left by a partial fill can always be closed.
    await waitFor(async () => (await api<{ positions: { quantity: number }[] }>('GET', '/api/v1/portfolio', trader.token)).body.positions[0]?.quantity === 20, 'the 20 bought');
    expect((await api<Order>('POST', '/api/v1/orders', trader.token, { symbol: 'AAPL', side: 'sell', type: 'market', quantity: 5 })).status).toBe(201);
  }, 60_000);
});
