import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register, startTradingServer, type Fill, type Order, type Rest } from '../support/paper-trading.js';
import type { RunningServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { TestClient, type ServerMessage } from '../support/ws-client.js';

/**
 * The `portfolio` message is throttled per user (PORTFOLIO_THROTTLE_MS, at most ~4 a second by
 * default): a burst of fills must not become a burst of portfolio messages, and the last one sent
 * must still be the portfolio as it ended. Counted, never timed: fewer portfolio messages than
 * fills, no more than one per throttle interval of the test's own clock (a slow machine only
 * loosens that bound), and the last equal to GET /api/v1/portfolio.
 */
const FILLS = 60;
/** PORTFOLIO_THROTTLE_MS, the default. */
const THROTTLE_MS = 250;
let server: RunningServer;
let api: Rest;
let client: TestClient | undefined;
let seq = 0;

beforeAll(async () => {
  ({ server, api } = await startTradingServer({ PAPER_STARTING_CASH: '100000' }));
}, 120_000);

afterAll(async () => {
  client?.close();
  await server?.stop();
});

const inject = async (count: number, size: number): Promise<void> => {
  const ticks = Array.from({ length: count }, () => {
    seq++;
    return { symbol: 'AAPL', price: 100 + (seq % 7) / 100, size, seq };
  });
  expect((await api('POST', '/api/v1/test/ticks', undefined, { ticks })).status).toBe(202);
};

describe('portfolio messages under a burst of fills', () => {
  it('are fewer than the fills, and the last one equals GET /portfolio', async () => {
    const trader = await register(api, 'burst');
    client = await TestClient.connect(`${server.ws}?symbols=&token=${trader.token}`);
    await inject(1, 1_000);
    const order = await api<Order>('POST', '/api/v1/orders', trader.token, { symbol: 'AAPL', side: 'buy', type: 'limit', limitPrice: 200, quantity: FILLS, timeInForce: 'gtc' });
    expect(order.status).toBe(201);
    await client.waitForMessage((m) => m.type === 'order' && (m as ServerMessage & { order: Order }).order.status === 'accepted', 'accepted', 15_000);
    const before = client.messages.filter((m) => m.type === 'portfolio').length;
    const started = performance.now();
    // One share per tick, in several requests: the fills spread over many batches of the log.
    for (let i = 0; i < FILLS / 5; i++) await inject(5, 1);
    await waitFor(async () => (await api<Order>('GET', `/api/v1/orders/${order.body.id}`, trader.token)).body.status === 'filled', 'the order filled', 60_000, 100);

    const fills = (await api<{ fills: Fill[] }>('GET', '/api/v1/fills?limit=1000', trader.token)).body.fills;
    expect(fills).toHaveLength(FILLS);
    const portfolio = (await api<Record<string, unknown>>('GET', '/api/v1/portfolio', trader.token)).body;
    // No tick comes after the last fill, so the portfolio stays put: its last message must show it.
    const portfolios = () => client!.messages.filter((m) => m.type === 'portfolio') as (ServerMessage & { portfolio: Record<string, unknown> })[];
    await waitFor(() => (portfolios().at(-1)?.portfolio.positions as { quantity: number }[] | undefined)?.[0]?.quantity === FILLS, 'a portfolio message with every share', 30_000, 50);
    expect(portfolios().at(-1)!.portfolio).toEqual(portfolio);
    expect(portfolios().length).toBeGreaterThan(0);
    expect(portfolios().length).toBeLessThan(fills.length);
    // At most one per interval since the burst began, and one already due then.
    expect(portfolios().length - before).toBeLessThanOrEqual(Math.floor((performance.now() - started) / THROTTLE_MS) + 2);
    // Every fill was still told as an order message (those are not throttled).
    expect(client.messages.filter((m) => m.type === 'order' && (m as ServerMessage & { order: Order }).order.id === order.body.id).length).toBe(FILLS + 1);
  }, 120_000);
});
