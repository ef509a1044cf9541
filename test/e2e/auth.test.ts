import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.js';
import { accountsApp, type AccountsApp } from '../support/accounts-app.js';
import { waitFor } from '../support/wait.js';
import { TestClient } from '../support/ws-client.js';

describe('accounts over REST', () => {
  let ctx: AccountsApp;
  // A long first lockout, so the test never races the lock's end however slow the machine.
  beforeAll(async () => (ctx = await accountsApp({ throttle: { freeFailures: 5, baseLockMs: 600_000 } })));
  afterAll(async () => ctx?.close());

  const post = (url: string, payload: object, remoteAddress = '127.0.0.1') => ctx.app.inject({ method: 'POST', url, payload, remoteAddress });

  it('register answers 201 with the user and a token; login answers 200 with the same shape', async () => {
    const reg = await post('/api/v1/auth/register', { username: 'Erin.Smith', password: 'hunter2-hunter2' });
    expect(reg.statusCode).toBe(201);
    const body = reg.json();
    expect(body).toEqual({ user: { id: expect.any(Number), username: 'erin.smith' }, token: expect.any(String), expiresAt: expect.any(String) });
    expect(Date.parse(body.expiresAt) - Date.now()).toBeGreaterThan(3_500_000);
    const login = await post('/api/v1/auth/login', { username: 'ERIN.smith', password: 'hunter2-hunter2' });
    expect(login.statusCode).toBe(200);
    expect(login.json()).toEqual({ user: body.user, token: expect.any(String), expiresAt: expect.any(String) });
    const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${login.json().token}` } });
    expect(me.json()).toEqual({ user: { ...body.user, createdAt: expect.any(String) } });
  });

  it('usernames are unique case-insensitively; bad usernames and passwords have their own codes', async () => {
    await ctx.register('frank');
    const taken = await post('/api/v1/auth/register', { username: 'FRANK', password: 'password-123' });
    expect({ status: taken.statusCode, code: taken.json().error.code }).toEqual({ status: 409, code: 'USERNAME_TAKEN' });
    for (const username of ['ab', 'x'.repeat(33), 'has space', 'émile', 'semi;colon']) {
      const res = await post('/api/v1/auth/register', { username, password: 'password-123' });
      expect({ username, code: res.json().error.code }).toEqual({ username, code: 'INVALID_USERNAME' });
    }
    for (const password of ['short', 'p'.repeat(129), 12345678]) {
      const res = await post('/api/v1/auth/register', { username: 'grace', password });
      expect({ status: res.statusCode, code: res.json().error.code }).toEqual({ status: 400, code: 'INVALID_PASSWORD' });
    }
    expect((await post('/api/v1/auth/register', { username: 'a.b-c_9', password: 'p'.repeat(128) })).statusCode).toBe(201);
  });

  it('wrong password and unknown user get the same 401 INVALID_CREDENTIALS answer', async () => {
    await ctx.register('heidi', 'right-password');
    const wrong = await post('/api/v1/auth/login', { username: 'heidi', password: 'wrong-password' });
    const unknown = await post('/api/v1/auth/login', { username: 'nobody-here', password: 'wrong-password' });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
    expect(wrong.json().error.code).toBe('INVALID_CREDENTIALS');
  });

  it('OpenAPI documents the account and alert routes, bearer-protected where they need a token', async () => {
    const doc = (await ctx.app.inject({ method: 'GET', url: '/docs/json' })).json();
    for (const path of ['/api/v1/auth/register', '/api/v1/auth/login', '/api/v1/me', '/api/v1/alerts', '/api/v1/alerts/{id}', '/api/v1/alerts/{id}/events', '/alerts']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/api/v1/alerts'].post.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/api/v1/auth/login'].post.security).toBeUndefined();
  });

  it('repeated failures for one username and address are locked out with 429 and Retry-After, even with the right password', async () => {
    await ctx.register('ivan', 'right-password');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await post('/api/v1/auth/login', { username: 'ivan', password: `guess-${i}` }, '10.0.0.1')).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    const locked = await post('/api/v1/auth/login', { username: 'IVAN', password: 'right-password' }, '10.0.0.1');
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('RATE_LIMITED');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    // The lock is per username and address: the owner elsewhere still gets in.
    expect((await post('/api/v1/auth/login', { username: 'ivan', password: 'right-password' }, '10.0.0.2')).statusCode).toBe(200);
    const metrics = await ctx.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/tickstream_logins_total\{result="locked"\} [1-9]/);
  });
});

describe('WebSocket authentication (the CLI, WS_REQUIRE_AUTH=true)', () => {
  let server: RunningServer;
  let token: string;
  const clients: TestClient[] = [];
  const connect = async (query = '') => {
    const client = await TestClient.connect(server.ws + query);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    server = await startServer({ WS_REQUIRE_AUTH: 'true', WS_AUTH_TIMEOUT_MS: '1500', SYMBOLS: 'AAPL,MSFT', TICK_RATE: '200' });
    // The database opens in the background; prices do not wait for it, registration does.
    await waitFor(async () => (await fetch(`${server.http}/ready`)).status === 200, 'the database to be ready', 110_000, 100);
    const res = await fetch(`${server.http}/api/v1/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'judy', password: 'password-123' }) });
    token = ((await res.json()) as { token: string }).token;
  }, 180_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await server?.stop();
  });

  it('an unauthenticated socket gets no ticks, is refused subscriptions, and is closed with 4001 AUTH_TIMEOUT', async () => {
    const client = await connect();
    client.send({ action: 'subscribe', symbols: ['AAPL'], id: 's' });
    client.send({ action: 'ping', id: 'p' });
    expect(await client.waitForClose()).toEqual({ code: 4001, reason: 'AUTH_TIMEOUT' });
    expect(client.ticks()).toEqual([]);
    expect(client.controls('error')).toEqual([expect.objectContaining({ code: 'AUTH_REQUIRED', id: 's' })]);
    expect(client.controls('pong')).toHaveLength(1);
  });

  it('`auth` answers `authenticated`, then the URL subscription starts', async () => {
    const client = await connect('?symbols=MSFT');
    client.send({ action: 'auth', token, id: 1 });
    await client.waitForTicks(5, 'MSFT');
    expect(client.messages[0]).toEqual({ type: 'authenticated', user: { id: expect.any(Number), username: 'judy' }, id: 1 });
    expect(client.ticks('AAPL')).toEqual([]);
    expect(client.closed).toBeUndefined();
  });

  it('a token in the URL authenticates silently: ticks only', async () => {
    const client = await connect(`?token=${encodeURIComponent(token)}`);
    await waitFor(() => client.ticks('AAPL').length > 3 && client.ticks('MSFT').length > 3, 'ticks of both symbols');
    expect(client.controls()).toEqual([]);
  });

  it('a bad token is answered INVALID_TOKEN and closed with 4003, in the URL or in a message', async () => {
    const byMessage = await connect();
    byMessage.send({ action: 'auth', token: `${token}tampered` });
    expect(await byMessage.waitForClose()).toEqual({ code: 4003, reason: 'INVALID_TOKEN' });
    expect(byMessage.controls()).toEqual([expect.objectContaining({ type: 'error', code: 'INVALID_TOKEN' })]);
    const byUrl = await connect('?token=not-a-token');
    expect(await byUrl.waitForClose()).toEqual({ code: 4003, reason: 'INVALID_TOKEN' });
    expect(byUrl.ticks()).toEqual([]);
  });
});
