import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateDatabase, register as registerOn, restClient } from '../support/paper-trading.js';
import { deleteQueues } from '../support/rabbitmq.js';
import { startServer, type RunningServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { TestClient, type ServerMessage } from '../support/ws-client.js';

/**
 * Paper trading end to end on the real CLI, on the machine's PostgreSQL (a database of this run's
 * own) and RabbitMQ (queues of this run's own): orders submitted over REST, filled by ticks the
 * test route injects (so prices and seqs are known), seen on the owner's WebSocket and in the
 * portfolio. Then the process is SIGKILLed mid-stream, its RabbitMQ connection closed by name, and
 * it is started again on the same database and queue with the ticks replayed: every order fills
 * completely, no (order, tick) fills twice, and cash and positions equal a replay of the fills.
 */
const SECRET = 'e2e-orders-jwt-secret-0123456789abcdef';
const RUN = randomUUID().replaceAll('-', '').slice(0, 10);
const QUEUE = `tickstream.e2e.${RUN}.orders`;
const CONNECTION = `tickstream-e2e-${RUN}`;
const run = promisify(execFile);

let server: RunningServer;
let alice: { id: number; token: string };
let bob: { id: number; token: string };
const clients: TestClient[] = [];
let seq = 0;

let database: Awaited<ReturnType<typeof privateDatabase>>;

const start = async (): Promise<RunningServer> => {
  const s = await startServer({
    ROLES: 'processor,gateway,api,orders',
    TEST_TICK_INJECTION: 'true',
    SYMBOLS: 'AAPL,MSFT',
    JWT_SECRET: SECRET,
    DATABASE_URL: database.url,
    AMQP_URL: process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
    ORDER_QUEUE: QUEUE,
    AMQP_CONNECTION_NAME: CONNECTION,
    ORDERS_REFRESH_MS: '300',
    PAPER_STARTING_CASH: '100000',
  });
  await waitFor(async () => (await fetch(`${s.http}/ready`)).status === 200, 'readiness', 60_000, 100);
  return s;
};

/** REST against the server of the moment (it is started again mid-test). */
const api: ReturnType<typeof restClient> = (...args) => restClient(server.http)(...args);

const inject = async (ticks: { symbol?: string; price: number; seq: number; size?: number }[]) => {
  const res = await api('POST', '/api/v1/test/ticks', undefined, { ticks: ticks.map((t) => ({ symbol: 'AAPL', size: 1_000, ...t })) });
  expect(res.status).toBe(202);
};

const register = (username: string) => registerOn(api, username);

const socketOf = async (token: string) => {
  const client = await TestClient.connect(`${server.ws}?symbols=&token=${token}`);
  clients.push(client);
  return client;
};

type Order = { id: number; status: string; filledQuantity: number; quantity: number; averageFillPrice: number | null; reason: string | null };
type OrderMessage = ServerMessage & { order: Order };
const ordersOn = (c: TestClient) => c.messages.filter((m): m is OrderMessage => m.type === 'order');

beforeAll(async () => {
  database = await privateDatabase('orders_e2e');
  server = await start();
  alice = await register('alice');
  bob = await register('bob');
}, 120_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await server?.stop('SIGKILL');
  await deleteQueues([QUEUE, `${QUEUE}.dead`, ...[1, 2, 3, 4].map((n) => `${QUEUE}.retry.${n}`)]).catch(() => undefined);
  await database?.drop();
});

describe('paper trading end to end', () => {
  it('submit → fill → portfolio, over REST and on the owner’s socket only', async () => {
    const owner = await socketOf(alice.token);
    const other = await socketOf(bob.token);
    await inject([{ price: 100, seq: ++seq }]);
    await waitFor(async () => (await api('GET', '/price/AAPL')).status === 200, 'a first AAPL price');

    const submitted = await api<Order>('POST', '/api/v1/orders', alice.token, { symbol: 'aapl', side: 'buy', type: 'market', quantity: 10 });
    expect(submitted.status).toBe(201);
    expect(submitted.body).toMatchObject({ symbol: 'AAPL', side: 'buy', type: 'market', timeInForce: 'day', quantity: 10, filledQuantity: 0, status: 'new' });
    await owner.waitForMessage((m) => m.type === 'order' && (m as OrderMessage).order.status === 'accepted', 'accepted', 15_000);

    await inject([{ price: 101.25, seq: ++seq, size: 4 }, { price: 101.75, seq: ++seq }]);
    await owner.waitForMessage((m) => m.type === 'order' && (m as OrderMessage).order.status === 'filled', 'filled', 15_000);
    expect(ordersOn(owner).map((m) => [m.order.status, m.order.filledQuantity])).toEqual([['accepted', 0], ['partially_filled', 4], ['filled', 10]]);
    expect(Object.keys(ordersOn(owner)[0]!).sort()).toEqual(['order', 'type']);

    const order = await api<Order>('GET', `/api/v1/orders/${submitted.body.id}`, alice.token);
    // 4 × 101.25 + 6 × 101.75 = 1015.5 for 10 shares.
    expect(order.body).toMatchObject({ status: 'filled', filledQuantity: 10, averageFillPrice: 101.55 });
    const fills = await api<{ fills: { quantity: number; price: number; seq: number }[] }>('GET', '/api/v1/fills', alice.token);
    expect(fills.body.fills.map((f) => [f.quantity, f.price, f.seq])).toEqual([[6, 101.75, seq], [4, 101.25, seq - 1]]);

    const portfolio = await api<Record<string, unknown>>('GET', '/api/v1/portfolio', alice.token);
    // Everything happened today (UTC), so the day P&L is the move since the fills: 10 × 101.75 − 1,015.50.
    expect(portfolio.body).toMatchObject({ dayPnl: 2, dayStart: `${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`, cash: 100_000 - 1_015.5, equity: 100_000 - 1_015.5 + 1_017.5, unrealizedPnl: 2, realizedPnl: 0, positions: [{ symbol: 'AAPL', quantity: 10, averageCost: 101.55, price: 101.75, marketValue: 1_017.5 }] });
    const live = (await owner.waitForMessage((m) => m.type === 'portfolio', 'a portfolio message', 15_000)) as ServerMessage & { portfolio: { positions: unknown[] } };
    expect(live.portfolio.positions).toHaveLength(1);

    // A tick of a held symbol moves the value; the next portfolio message shows it.
    await inject([{ price: 110, seq: ++seq }]);
    await owner.waitForMessage((m) => m.type === 'portfolio' && (m as unknown as { portfolio: { equity: number } }).portfolio.equity === 100_000 - 1_015.5 + 1_100, 'revalued portfolio', 15_000);

    // A sell realizes P&L at average cost.
    const sell = await api<Order>('POST', '/api/v1/orders', alice.token, { symbol: 'AAPL', side: 'sell', type: 'limit', limitPrice: 110, quantity: 5, timeInForce: 'gtc' });
    expect(sell.status).toBe(201);
    await owner.waitForMessage((m) => m.type === 'order' && (m as OrderMessage).order.id === sell.body.id && (m as OrderMessage).order.status === 'accepted', 'sell accepted', 15_000);
    await inject([{ price: 110.5, seq: ++seq }]);
    await owner.waitForMessage((m) => m.type === 'order' && (m as OrderMessage).order.id === sell.body.id && (m as OrderMessage).order.status === 'filled', 'sell filled', 15_000);
    const after = await api<{ realizedPnl: number; dayPnl: number; positions: { quantity: number }[] }>('GET', '/api/v1/portfolio', alice.token);
    // 5 × (110.50 − 101.55), exactly (the ledger has no float error).
    expect(after.body.realizedPnl).toBe(44.75);
    expect(after.body.positions[0]!.quantity).toBe(5);

    // Realized 44.75 plus 5 held × (110.50 − 101.55) since they were bought today.
    expect(after.body.dayPnl).toBe(89.5);

    expect(ordersOn(other)).toEqual([]);
    expect(other.messages.filter((m) => m.type === 'portfolio')).toEqual([]);

    // One audit line per submit and per fill (the API's and the orders role's), none for the other user.
    const audits = (event: string) => server.logs.filter((l) => l.audit === event && l.userId === alice.id);
    expect(audits('order.submitted').map((l) => l.orderId)).toEqual([submitted.body.id, sell.body.id]);
    expect(audits('order.filled').map((l) => [l.orderId, l.quantity, l.price])).toEqual([[submitted.body.id, 4, 101.25], [submitted.body.id, 6, 101.75], [sell.body.id, 5, 110.5]]);
  }, 120_000);

  it('the same Idempotency-Key twice makes one order; reused for another order it is refused', async () => {
    const body = { symbol: 'MSFT', side: 'buy', type: 'limit', limitPrice: 10, quantity: 3, timeInForce: 'gtc' };
    const key = { 'idempotency-key': `k-${RUN}` };
    const first = await api<Order>('POST', '/api/v1/orders', alice.token, body, key);
    const second = await api<Order>('POST', '/api/v1/orders', alice.token, body, key);
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    expect((await api('POST', '/api/v1/orders', alice.token, { ...body, quantity: 4 }, key)).body).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    // Another user's same key is another order.
    expect((await api<Order>('POST', '/api/v1/orders', bob.token, body, key)).body.id).not.toBe(first.body.id);
    const list = await api<{ orders: Order[] }>('GET', '/api/v1/orders?symbol=MSFT&status=open', alice.token);
    expect(list.body.orders.map((o) => o.id)).toEqual([first.body.id]);
    const canceled = await api<Order>('DELETE', `/api/v1/orders/${first.body.id}`, alice.token);
    expect(canceled.body).toMatchObject({ status: 'canceled', reason: 'CANCELED_BY_USER' });
    expect((await api('DELETE', `/api/v1/orders/${first.body.id}`, alice.token)).body).toMatchObject({ error: { code: 'ORDER_NOT_CANCELABLE' } });
    expect(server.logs.filter((l) => l.audit === 'order.canceled' && l.orderId === first.body.id)).toMatchObject([{ userId: alice.id, by: 'user' }]);
  });

  it('an order the account cannot pay a single share of when it could fill is rejected with the reason, its cash released', async () => {
    const carol = await register('carol');
    const socket = await socketOf(carol.token);
    const msft = (price: number) => inject([{ symbol: 'MSFT', price, seq: ++seq }]);
    await msft(100);
    await waitFor(async () => (await api<{ data?: { price: number } }>('GET', '/price/MSFT')).body.data?.price === 100, 'MSFT at 100');
    // A resting limit buy holds back $99,000 of $100,000; a market buy of 6 then holds back 6 × $105.
    const resting = await api<Order>('POST', '/api/v1/orders', carol.token, { symbol: 'MSFT', side: 'buy', type: 'limit', limitPrice: 50, quantity: 1_980, timeInForce: 'gtc' });
    const market = await api<Order>('POST', '/api/v1/orders', carol.token, { symbol: 'MSFT', side: 'buy', type: 'market', quantity: 6 });
    expect([resting.status, market.status]).toEqual([201, 201]);
    await socket.waitForMessage((m) => m.type === 'order' && (m as OrderMessage).order.id === market.body.id && (m as OrderMessage).order.status === 'accepted', 'market accepted', 15_000);

    // MSFT gaps to $1,500: the $1,000 not held back by the resting order buys no share.
    await msft(1_500);
    const rejected = (await socket.waitForMessage((m) => m.type === 'order' && (m as OrderMessage).order.id === market.body.id && !['new', 'accepted'].includes((m as OrderMessage).order.status), 'market closed', 15_000)) as OrderMessage;
    expect(rejected.order).toMatchObject({ status: 'rejected', reason: 'INSUFFICIENT_FUNDS', filledQuantity: 0 });
    const listed = await api<{ orders: Order[] }>('GET', '/api/v1/orders?status=rejected', carol.token);
    expect(listed.body.orders.map((o) => [o.id, o.status, o.reason])).toEqual([[market.body.id, 'rejected', 'INSUFFICIENT_FUNDS']]);
    expect((await api<{ cash: number; buyingPower: number }>('GET', '/api/v1/portfolio', carol.token)).body).toMatchObject({ cash: 100_000, buyingPower: 1_000 });
    expect((await api('DELETE', `/api/v1/orders/${market.body.id}`, carol.token)).body).toMatchObject({ error: { code: 'ORDER_NOT_CANCELABLE' } });
    // The audit line comes on the server's stdout, which may trail the socket message.
    const audited = await waitFor(() => server.logs.find((l) => l.orderId === market.body.id && l.by === 'system'), 'the audit line');
    expect(audited).toMatchObject({ audit: 'order.rejected', status: 'rejected', reason: 'INSUFFICIENT_FUNDS', userId: carol.id });
    expect(server.logs.filter((l) => l.orderId === market.body.id && l.by === 'system')).toHaveLength(1);
    expect((await api<Order>('DELETE', `/api/v1/orders/${resting.body.id}`, carol.token)).body).toMatchObject({ status: 'canceled' });
  });

  it('authorization matrix and bad input: other users see 404, no token 401, a forged or expired one 401, mass assignment refused, stable codes', async () => {
    const mine = await api<Order>('POST', '/api/v1/orders', alice.token, { symbol: 'AAPL', side: 'buy', type: 'limit', limitPrice: 1, quantity: 1, timeInForce: 'gtc' });
    expect(mine.status).toBe(201);
    const id = mine.body.id;
    expect((await api('GET', `/api/v1/orders/${id}`, bob.token)).body).toMatchObject({ error: { code: 'ORDER_NOT_FOUND' } });
    expect((await api('DELETE', `/api/v1/orders/${id}`, bob.token)).status).toBe(404);
    expect((await api<{ orders: Order[] }>('GET', '/api/v1/orders', bob.token)).body.orders.some((o) => o.id === id)).toBe(false);
    expect((await api<{ fills: unknown[] }>('GET', '/api/v1/fills', bob.token)).body.fills).toEqual([]);
    expect((await api<{ positions: unknown[]; cash: number }>('GET', '/api/v1/portfolio', bob.token)).body).toMatchObject({ positions: [], cash: 100_000 });
    for (const [method, path] of [['GET', '/api/v1/orders'], ['POST', '/api/v1/orders'], ['GET', `/api/v1/orders/${id}`], ['DELETE', `/api/v1/orders/${id}`], ['GET', '/api/v1/fills'], ['GET', '/api/v1/portfolio'], ['POST', '/api/v1/portfolio/reset']] as const) {
      const res = await api(method, path, undefined, method === 'POST' ? {} : undefined);
      expect([path, res.status, (res.body as { error: { code: string } }).error.code]).toEqual([path, 401, 'AUTH_REQUIRED']);
    }
    // Alice's own claims, signed with another secret; and signed with the server's but expired.
    const claims = (exp: number) => new SignJWT({ name: 'alice' }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(String(alice.id)).setIssuer('tickstream').setIssuedAt(exp - 60).setExpirationTime(exp);
    const now = Math.floor(Date.now() / 1000);
    const forged = await claims(now + 600).sign(new TextEncoder().encode('not-the-server-secret-0123456789abcdef'));
    const expired = await claims(now - 5).sign(new TextEncoder().encode(SECRET));
    for (const token of [forged, expired, `${alice.token}x`]) {
      for (const [method, path] of [['GET', `/api/v1/orders/${id}`], ['DELETE', `/api/v1/orders/${id}`], ['POST', '/api/v1/portfolio/reset']] as const) {
        const res = await api(method, path, token);
        expect([path, res.status, (res.body as { error: { code: string } }).error.code]).toEqual([path, 401, 'INVALID_TOKEN']);
      }
    }
    const base = { symbol: 'AAPL', side: 'buy', type: 'market', quantity: 1 };
    const code = async (body: unknown) => (await api<{ error: { code: string } }>('POST', '/api/v1/orders', alice.token, body)).body.error?.code;
    expect(await code({ ...base, status: 'filled' })).toBe('BAD_REQUEST');
    expect(await code({ ...base, filledQuantity: 1 })).toBe('BAD_REQUEST');
    expect(await code({ ...base, userId: bob.id })).toBe('BAD_REQUEST');
    expect(await code({ ...base, type: 'trailing' })).toBe('INVALID_ORDER_TYPE');
    expect(await code({ ...base, side: 'short' })).toBe('INVALID_SIDE');
    expect(await code({ ...base, quantity: 0 })).toBe('INVALID_QUANTITY');
    expect(await code({ ...base, quantity: '1' })).toBe('INVALID_QUANTITY');
    expect(await code({ ...base, type: 'limit', limitPrice: 1.005 })).toBe('INVALID_ORDER_PRICE');
    expect(await code({ ...base, timeInForce: 'fok' })).toBe('INVALID_TIME_IN_FORCE');
    expect(await code({ ...base, symbol: 'NOPE' })).toBe('UNKNOWN_SYMBOL');
    expect(await code({ ...base, quantity: 900_000 })).toBe('INSUFFICIENT_FUNDS');
    expect(await code({ ...base, side: 'sell', quantity: 1_000 })).toBe('INSUFFICIENT_POSITION');
    expect((await api('POST', '/api/v1/orders', alice.token, base, { 'idempotency-key': 'x'.repeat(200) })).body).toMatchObject({ error: { code: 'INVALID_IDEMPOTENCY_KEY' } });
    // Nobody else's order was touched, and bob's reset does not touch alice's account.
    expect((await api('POST', '/api/v1/portfolio/reset', bob.token)).status).toBe(200);
    expect((await api<Order>('GET', `/api/v1/orders/${id}`, alice.token)).body.status).toMatch(/new|accepted/);
    expect((await api('GET', '/health')).status).toBe(200);
  });

  it('the OpenAPI document describes every paper-trading route, bearer-authorized, with every status', async () => {
    const doc = (await api<{ paths: Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>>; components: { schemas?: Record<string, unknown> } }>('GET', '/docs/json')).body;
    const routes: [string, string][] = [['/api/v1/orders', 'post'], ['/api/v1/orders', 'get'], ['/api/v1/orders/{id}', 'get'], ['/api/v1/orders/{id}', 'delete'], ['/api/v1/fills', 'get'], ['/api/v1/portfolio', 'get'], ['/api/v1/portfolio/reset', 'post']];
    for (const [path, method] of routes) {
      expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
      expect(doc.paths[path]![method]!.security).toEqual([{ bearer: [] }]);
      expect(Object.keys(doc.paths[path]![method]!.responses)).toContain('401');
    }
    expect(JSON.stringify(doc.paths['/api/v1/orders']!.post!.responses['201'])).toContain('"rejected"');
  });

  it('SIGKILL mid-stream and a closed RabbitMQ connection: no order lost, no fill twice, the ledger equals a replay of the fills', async () => {
    await api('POST', '/api/v1/portfolio/reset', alice.token);
    const ids: number[] = [];
    const ticks: { price: number; seq: number; size: number }[] = [];
    // 12 orders of 5 shares; ticks of size 2 fill them a little at a time, so the kill lands mid-fill.
    for (let i = 0; i < 12; i++) {
      const res = await api<Order>('POST', '/api/v1/orders', alice.token, { symbol: 'AAPL', side: 'buy', type: 'limit', limitPrice: 200, quantity: 5, timeInForce: 'gtc' }, { 'idempotency-key': `crash-${RUN}-${i}` });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
      const t = { price: 100 + i / 100, seq: ++seq, size: 2 };
      ticks.push(t);
      await inject([t]);
    }
    const pids = await connectionPids(CONNECTION);
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) await run('rabbitmqctl', ['close_connection', pid, 'e2e: simulated broker-side close']);
    expect((await server.stop('SIGKILL')).signal).toBe('SIGKILL');

    server = await start();
    // The same key again after the crash: still one order each.
    for (let i = 0; i < 12; i++) {
      const again = await api<Order>('POST', '/api/v1/orders', alice.token, { symbol: 'AAPL', side: 'buy', type: 'limit', limitPrice: 200, quantity: 5, timeInForce: 'gtc' }, { 'idempotency-key': `crash-${RUN}-${i}` });
      expect([again.status, again.body.id]).toEqual([200, ids[i]]);
    }
    // Replay every tick (a redelivered log), then new ones until everything is filled.
    await inject(ticks);
    await waitFor(async () => {
      await inject([{ price: 150, seq: ++seq, size: 7 }]);
      const open = await api<{ orders: Order[] }>('GET', '/api/v1/orders?status=open&symbol=AAPL', alice.token);
      return open.body.orders.filter((o) => ids.includes(o.id)).length === 0;
    }, 'every crash order filled', 60_000, 300);

    const orders = await Promise.all(ids.map(async (id) => (await api<Order>('GET', `/api/v1/orders/${id}`, alice.token)).body));
    expect(orders.map((o) => [o.status, o.filledQuantity])).toEqual(ids.map(() => ['filled', 5]));
    const { body } = await api<{ fills: { orderId: number; quantity: number; price: number; seq: number }[] }>('GET', '/api/v1/fills?limit=1000', alice.token);
    const fills = body.fills.filter((f) => ids.includes(f.orderId));
    expect(new Set(fills.map((f) => `${f.orderId}/${f.seq}`)).size).toBe(fills.length);
    for (const id of ids) expect(fills.filter((f) => f.orderId === id).reduce((n, f) => n + f.quantity, 0)).toBe(5);
    // Replay the fills in integer hundredths of a cent: cash and position must match the ledger.
    const spentUnits = fills.reduce((sum, f) => sum + Math.round(f.price * 10_000) * f.quantity, 0);
    const portfolio = await api<{ cash: number; positions: { symbol: string; quantity: number; averageCost: number }[] }>('GET', '/api/v1/portfolio', alice.token);
    expect(Math.round(portfolio.body.cash * 10_000)).toBe(100_000 * 10_000 - spentUnits);
    expect(portfolio.body.positions).toMatchObject([{ symbol: 'AAPL', quantity: 60 }]);
    expect(await api<unknown[]>('GET', '/api/v1/orders?status=rejected', alice.token)).toMatchObject({ body: { orders: [] } });
  }, 180_000);
});

/** Pids of this run's RabbitMQ connections, found by connection name (nobody else's are touched). */
async function connectionPids(name: string): Promise<string[]> {
  const { stdout } = await run('rabbitmqctl', ['list_connections', '--no-table-headers', '--silent', 'pid', 'client_properties']);
  return stdout
    .split('\n')
    .filter((line) => line.includes(`"${name}"`))
    .map((line) => line.split('\t')[0]!)
    .filter((pid) => pid.startsWith('<'));
}
