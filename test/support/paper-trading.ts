import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { expect } from 'vitest';
import { startServer, type RunningServer } from './server.js';
import { waitFor } from './wait.js';

/** The machine's PostgreSQL (TEST_DATABASE_URL for another): tests create databases of their own there. */
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * The embedded default with paper trading and the test tick route (the roles but the generator, so
 * the test's ticks are the only ones), started and ready: its REST client beside it. `env` adds to
 * or overrides the settings.
 */
export async function startTradingServer(env: Record<string, string> = {}): Promise<{ server: RunningServer; api: Rest }> {
  const server = await startServer({ ROLES: 'processor,gateway,api,orders', TEST_TICK_INJECTION: 'true', SYMBOLS: 'AAPL', ...env });
  await waitFor(async () => (await fetch(`${server.http}/ready`)).status === 200, 'readiness', 60_000, 100);
  return { server, api: restClient(server.http) };
}

/** A new, empty database private to the test: its URL, and `drop` (which ends its connections). */
export async function privateDatabase(label: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${label}_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  await admin(`CREATE DATABASE ${name}`);
  return { url: ADMIN_URL.replace(/\/[^/]*$/, `/${name}`), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export interface Reply<T> {
  status: number;
  body: T;
}

/** JSON over HTTP against one server, with an optional bearer token. */
export function restClient(base: string) {
  return async <T = Record<string, unknown>>(method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> => {
    const res = await fetch(base + path, {
      method,
      headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
}

export type Rest = ReturnType<typeof restClient>;

export interface Order {
  id: number;
  symbol: string;
  status: string;
  filledQuantity: number;
  quantity: number;
}

export interface Fill {
  orderId: number;
  symbol: string;
  side: string;
  quantity: number;
  price: number;
  seq: number;
}

export async function register(api: Rest, username: string): Promise<{ id: number; token: string }> {
  const res = await api<{ user: { id: number }; token: string }>('POST', '/api/v1/auth/register', undefined, { username, password: 'password-123' });
  expect(res.status).toBe(201);
  return { id: res.body.user.id, token: res.body.token };
}

/**
 * The promises of exactly-once trading, checked from what the API shows one user: every order
 * filled completely (none lost), no (order, tick seq) filled twice, each order's filled quantity
 * the sum of its fills, and cash and positions equal to a replay of the fills from the starting
 * cash (in integer ledger units, 1/10,000 USD, so no float error hides a difference). Buys only.
 */
export async function expectLedgerIsReplayOfFills(api: Rest, token: string, ids: readonly number[], quantity: number, startingCash: number): Promise<Fill[]> {
  const orders = await Promise.all(ids.map(async (id) => (await api<Order>('GET', `/api/v1/orders/${id}`, token)).body));
  expect(orders.map((o) => [o.id, o.status, o.filledQuantity])).toEqual(ids.map((id) => [id, 'filled', quantity]));
  const { body } = await api<{ fills: Fill[] }>('GET', '/api/v1/fills?limit=1000', token);
  const fills = body.fills.filter((f) => ids.includes(f.orderId));
  const doubles = fills.length - new Set(fills.map((f) => `${f.orderId}/${f.seq}`)).size;
  expect(doubles).toBe(0);
  for (const id of ids) expect([id, fills.filter((f) => f.orderId === id).reduce((n, f) => n + f.quantity, 0)]).toEqual([id, quantity]);
  const spent = fills.reduce((sum, f) => sum + Math.round(f.price * 10_000) * f.quantity, 0);
  const held = new Map<string, number>();
  for (const f of fills) held.set(f.symbol, (held.get(f.symbol) ?? 0) + f.quantity);
  const portfolio = await api<{ cash: number; positions: { symbol: string; quantity: number }[] }>('GET', '/api/v1/portfolio', token);
  expect(Math.round(portfolio.body.cash * 10_000)).toBe(startingCash * 10_000 - spent);
  expect(portfolio.body.positions.map((p) => [p.symbol, p.quantity])).toEqual([...held].sort(([a], [b]) => a.localeCompare(b)));
  return fills;
}
