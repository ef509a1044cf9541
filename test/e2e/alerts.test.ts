import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { TestClient, type ServerMessage } from '../support/ws-client.js';

/**
 * Alerts end to end on the real CLI: the API creates alerts, the test route injects ticks that
 * cross thresholds, and the owner's WebSocket gets exactly one message per crossing while another
 * user's socket and an anonymous one get none. Then the process is stopped and started again on
 * the same DATA_DIR, the same ticks (same seqs) are appended again — a replayed log — and still
 * nothing fires twice.
 *
 * To know that every tick sent so far was evaluated, each step ends with a sentinel: a fresh
 * `below 1` alert of Alice's on the same symbol and a tick at 0.5 after the others. Ticks of one
 * symbol are evaluated in order, so once the sentinel's message is in, everything before it is.
 */
const SECRET = 'e2e-alerts-jwt-secret-0123456789abcdef';
let dataDir: string;
let server: RunningServer;
let alice: { id: number; token: string };
let bob: { id: number; token: string };
const clients: TestClient[] = [];
let seq = 0;

const start = async (): Promise<RunningServer> => {
  const s = await startServer({
    ROLES: 'processor,gateway,api,alerts',
    TEST_TICK_INJECTION: 'true',
    SYMBOLS: 'AAPL,MSFT',
    JWT_SECRET: SECRET,
    DATA_DIR: dataDir,
    ALERTS_REFRESH_MS: '200',
  });
  // The database opens in the background; wait until it answers.
  await waitFor(async () => (await fetch(`${s.http}/ready`)).status === 200, 'the database to be ready', 110_000, 100);
  return s;
};

async function api<T = Record<string, unknown>>(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(server.http + path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (res.status === 204 ? {} : await res.json()) as T };
}

const createAlert = async (token: string, alert: Record<string, unknown>): Promise<number> => {
  const res = await api('POST', '/api/v1/alerts', token, alert);
  expect(res.status).toBe(201);
  return res.body.id as number;
};

const inject = async (ticks: { symbol?: string; price: number; seq: number }[]) => {
  const res = await api('POST', '/api/v1/test/ticks', undefined, { ticks: ticks.map((t) => ({ symbol: 'AAPL', ...t })) });
  expect(res.status).toBe(202);
};

/** AAPL ticks at the next seqs. */
const prices = (...values: number[]) => values.map((price) => ({ price, seq: ++seq }));

type AlertMessage = ServerMessage & { alert: { id: number } };
const isAlert = (m: ServerMessage): m is AlertMessage => m.type === 'alert';
const alertsOf = (client: TestClient): AlertMessage[] => client.messages.filter(isAlert);
const alertIds = (client: TestClient): number[] => alertsOf(client).map((m) => m.alert.id);

/** Ends a step: after this, every earlier tick has been evaluated and its messages delivered. */
async function sentinel(watcher: TestClient): Promise<number> {
  const id = await createAlert(alice.token, { symbol: 'AAPL', condition: 'below', threshold: 1 });
  await inject(prices(0.5));
  await watcher.waitForMessage((m) => isAlert(m) && m.alert.id === id, `sentinel alert ${id}`, 30_000);
  return id;
}

const connectAll = async () => {
  const owner = await TestClient.connect(`${server.ws}?symbols=&token=${alice.token}`);
  const other = await TestClient.connect(`${server.ws}?symbols=`);
  other.send({ action: 'auth', token: bob.token });
  await other.waitForMessage((m) => m.type === 'authenticated', 'bob authenticated');
  const anonymous = await TestClient.connect(`${server.ws}?symbols=AAPL`);
  clients.push(owner, other, anonymous);
  return { owner, other, anonymous };
};

const register = async (username: string) => {
  const res = await api<{ user: { id: number }; token: string }>('POST', '/api/v1/auth/register', undefined, { username, password: 'password-123' });
  expect(res.status).toBe(201);
  return { id: res.body.user.id, token: res.body.token };
};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tickstream-alerts-e2e-'));
  server = await start();
  alice = await register('alice');
  bob = await register('bob');
}, 180_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('alerts end to end', () => {
  let crossOnce: number;
  let rearm: number;
  let bobs: number;

  it('each crossing reaches the owner exactly once, and nobody else', async () => {
    const { owner, other, anonymous } = await connectAll();
    crossOnce = await createAlert(alice.token, { symbol: 'AAPL', condition: 'crosses_above', threshold: 100, note: 'breakout' });
    rearm = await createAlert(alice.token, { symbol: 'AAPL', condition: 'above', threshold: 100, mode: 'rearm', cooldownSeconds: 0 });
    bobs = await createAlert(bob.token, { symbol: 'MSFT', condition: 'above', threshold: 1_000 });

    // 99 → 101 crosses (both fire); 102 stays above (nothing); 99 re-arms; 101 crosses again (rearm only).
    await inject(prices(99, 101, 102, 99, 101));
    const end = await sentinel(owner);

    expect(alertIds(owner)).toEqual([crossOnce, rearm, rearm, end]);
    const first = alertsOf(owner)[0]!;
    expect(Object.keys(first).sort()).toEqual(['alert', 'price', 'ts', 'type']);
    expect(first).toMatchObject({ type: 'alert', price: 101, alert: { id: crossOnce, symbol: 'AAPL', condition: 'crosses_above', status: 'triggered', triggerCount: 1, triggeredPrice: 101, note: 'breakout' } });
    expect(alertsOf(owner)[2]).toMatchObject({ alert: { id: rearm, status: 'active', triggerCount: 2 } });
    expect(alertsOf(other)).toEqual([]);
    expect(alertsOf(anonymous)).toEqual([]);
    // Prices stay public: the anonymous socket has the ticks.
    await waitFor(() => anonymous.ticks('AAPL').length >= 6, 'AAPL ticks on the anonymous socket');

    const history = await api<{ events: { seq: number; price: number }[] }>('GET', `/api/v1/alerts/${rearm}/events`, alice.token);
    expect(history.body.events.map((e) => [e.seq, e.price])).toEqual([[5, 101], [2, 101]]);
    expect((await api('GET', `/api/v1/alerts/${bobs}`, bob.token)).body).toMatchObject({ status: 'active', triggerCount: 0 });
  }, 120_000);

  it('after a restart on the same DATA_DIR, a replayed log fires nothing twice; new crossings fire once', async () => {
    expect(await server.stop()).toEqual({ code: 0, signal: null });
    server = await start();
    const { owner, other } = await connectAll();

    // The in-memory log did not survive: append the same ticks, with the same seqs, again.
    const replayed = [99, 101, 102, 99, 101, 0.5].map((price, i) => ({ price, seq: i + 1 }));
    await inject(replayed);
    const afterReplay = await sentinel(owner);
    expect(alertIds(owner)).toEqual([afterReplay]);

    // A new crossing above 100 (the sentinel's 0.5 re-armed the rearm alert): exactly one message.
    await inject(prices(101, 103));
    const end = await sentinel(owner);
    expect(alertIds(owner)).toEqual([afterReplay, rearm, end]);
    expect(alertsOf(owner)[1]).toMatchObject({ alert: { id: rearm, triggerCount: 3 }, price: 101 });
    expect(alertsOf(other)).toEqual([]);

    const stored = await api<{ triggerCount: number; status: string }>('GET', `/api/v1/alerts/${crossOnce}`, alice.token);
    expect(stored.body).toMatchObject({ status: 'triggered', triggerCount: 1 });
    const history = await api<{ events: { seq: number }[] }>('GET', `/api/v1/alerts/${rearm}/events`, alice.token);
    expect(history.body.events.map((e) => e.seq)).toEqual([seq - 2, 5, 2]);
  }, 180_000);

  it('changes through the API apply to evaluation at once', async () => {
    const owner = clients.at(-3)!;
    // Armed by the last sentinel; with the old threshold (100) a price of 150 would fire it.
    const patched = await api('PATCH', `/api/v1/alerts/${rearm}`, alice.token, { threshold: 200 });
    expect(patched.body).toMatchObject({ threshold: 200 });
    const gone = await createAlert(alice.token, { symbol: 'AAPL', condition: 'above', threshold: 120 });
    expect((await api('DELETE', `/api/v1/alerts/${gone}`, alice.token)).status).toBe(204);
    const before = alertIds(owner).length;
    await inject(prices(150));
    const end = await sentinel(owner);
    expect(alertIds(owner).slice(before)).toEqual([end]);
    await inject(prices(201));
    const last = await sentinel(owner);
    expect(alertIds(owner).slice(before)).toEqual([end, rearm, last]);
  }, 120_000);
});
