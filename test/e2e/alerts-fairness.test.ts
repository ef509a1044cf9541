import { afterAll, beforeAll, expect, it } from 'vitest';
import { metric, startServer, type RunningServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { TestClient, type ServerMessage } from '../support/ws-client.js';

/**
 * Issue #10 item 5: one user's 200 re-arming alerts with no cooldown, on a price that crosses their
 * threshold again and again, once asked the alerts role for a thousand fires a second and delayed
 * everyone's alerts. With a per-user fire budget the flood is bounded (burst plus rate times the
 * time it ran: the bound comes from the clock, nothing is asserted about speed) while another
 * user's alert on the same symbol still fires, on the tick that crosses it.
 */
const RATE = 2;
const BURST = 5;
const FLOOD_ALERTS = 200;
const CROSSINGS = 40;
let server: RunningServer;
const clients: TestClient[] = [];

beforeAll(async () => {
  server = await startServer({
    ROLES: 'processor,gateway,api,alerts',
    TEST_TICK_INJECTION: 'true',
    SYMBOLS: 'AAPL,MSFT',
    ALERTS_REFRESH_MS: '200',
    ALERTS_USER_FIRE_RATE: String(RATE),
    ALERTS_USER_FIRE_BURST: String(BURST),
  });
  await waitFor(async () => (await fetch(`${server.http}/ready`)).status === 200, 'the database to be ready', 110_000, 100);
}, 120_000);
afterAll(async () => {
  for (const c of clients) c.close();
  await server?.stop();
});

async function api<T = Record<string, unknown>>(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(server.http + path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (res.status === 204 ? {} : await res.json()) as T };
}

async function user(name: string): Promise<string> {
  const res = await api<{ token: string }>('POST', '/api/v1/auth/register', undefined, { username: `${name}${Math.random().toString(36).slice(2, 8)}`, password: 'password-123' });
  expect(res.status).toBe(201);
  return res.body.token;
}

const alertsOf = (client: TestClient): ServerMessage[] => client.messages.filter((m) => m.type === 'alert');

it(`${FLOOD_ALERTS} re-arming alerts crossed ${CROSSINGS} times: the flooding user's fires stay within the budget and another user's alert fires`, async () => {
  const [flooder, other] = [await user('flood'), await user('calm')];
  for (let i = 0; i < FLOOD_ALERTS; i++) {
    const res = await api('POST', '/api/v1/alerts', flooder, { symbol: 'AAPL', condition: 'crosses_above', threshold: 100, mode: 'rearm', cooldownSeconds: 0 });
    expect(res.status).toBe(201);
  }
  const calm = await api<{ id: number }>('POST', '/api/v1/alerts', other, { symbol: 'AAPL', condition: 'above', threshold: 400 });
  expect(calm.status).toBe(201);
  const flooderSocket = await TestClient.connect(`${server.ws}?symbols=&token=${flooder}`);
  const otherSocket = await TestClient.connect(`${server.ws}?symbols=&token=${other}`);
  clients.push(flooderSocket, otherSocket);

  const started = Date.now();
  let seq = 0;
  const ticks = Array.from({ length: CROSSINGS * 2 }, (_, i) => ({ symbol: 'AAPL', price: i % 2 === 0 ? 99 : 101, seq: ++seq }));
  for (let i = 0; i < ticks.length; i += 10) expect((await api('POST', '/api/v1/test/ticks', undefined, { ticks: ticks.slice(i, i + 10) })).status).toBe(202);
  // Then the other user's price, after the whole flood on the same symbol.
  expect((await api('POST', '/api/v1/test/ticks', undefined, { ticks: [{ symbol: 'AAPL', price: 450, seq: ++seq }] })).status).toBe(202);
  const message = (await otherSocket.waitForMessage((m) => m.type === 'alert', "the other user's alert", 60_000)) as ServerMessage & { alert: { id: number }; price: number };
  const elapsedSeconds = (Date.now() - started) / 1000;
  expect(message).toMatchObject({ alert: { id: calm.body.id }, price: 450 });

  const fired = await metric(server, 'tickstream_alerts_fired_total');
  const deferred = await metric(server, 'tickstream_alert_fires_deferred_total');
  const flooderFires = fired - 1;
  const asked = FLOOD_ALERTS * CROSSINGS;
  console.log(`alerts fairness: ${JSON.stringify({ asked, flooderFires, deferred, elapsedSeconds, bound: BURST + RATE * elapsedSeconds })}`);
  // The flood was served (within budget), bounded by burst + rate × the time it ran, never the thousands asked for.
  expect(flooderFires).toBeGreaterThanOrEqual(BURST);
  expect(flooderFires).toBeLessThanOrEqual(BURST + Math.ceil(RATE * elapsedSeconds) + 1);
  expect(deferred).toBeGreaterThan(0);
  // Each of the flooder's fires reached the flooder only; the other user got exactly their own.
  await waitFor(() => alertsOf(flooderSocket).length === flooderFires, "the flooder's alert messages", 10_000);
  expect(alertsOf(otherSocket)).toHaveLength(1);
}, 180_000);
