import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type LogLine, type RunningServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';

/** Issue #17: one info line per request with its id, audit lines for accounts and alerts, no secrets. */
let server: RunningServer;
const INFO = 30;
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  server = await startServer({ SYMBOLS: 'AAPL,MSFT' });
});
afterAll(async () => {
  await server.stop();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.http}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const linesFor = (reqId: string): LogLine[] => server.logs.filter((l) => l.reqId === reqId);

describe('request logs', () => {
  it('writes one info line per request, with the id the client sent, and returns that id', async () => {
    const response = await fetch(`${server.http}/prices`, { headers: { 'x-request-id': 'client-id-42' } });
    expect(response.headers.get('x-request-id')).toBe('client-id-42');
    const line = await waitFor(() => linesFor('client-id-42').find((l) => l.msg === 'request'), 'the request line');
    expect(line).toMatchObject({ level: INFO, method: 'GET', route: '/prices', status: 200 });
    expect(typeof line.ms).toBe('number');
  });

  it('makes up an id when the client sends none or an unusable one', async () => {
    const fresh = (await fetch(`${server.http}/price/AAPL`)).headers.get('x-request-id');
    expect(fresh).toMatch(/^[0-9a-f-]{36}$/);
    const replaced = (await fetch(`${server.http}/price/AAPL`, { headers: { 'x-request-id': 'x'.repeat(500) } })).headers.get('x-request-id');
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
    await waitFor(() => linesFor(replaced!).find((l) => l.msg === 'request' && l.route === '/price/:symbol'), 'the line with the new id');
  });

  it('keeps probes and scrapes out of the info log', async () => {
    for (const path of ['/health', '/ready', '/metrics']) {
      const id = `probe${path.replace('/', '-')}`;
      await fetch(`${server.http}${path}`, { headers: { 'x-request-id': id } });
    }
    await fetch(`${server.http}/prices`, { headers: { 'x-request-id': 'after-probes' } });
    await waitFor(() => linesFor('after-probes').length > 0, 'the line after the probes');
    expect(server.logs.filter((l) => String(l.reqId).startsWith('probe-'))).toEqual([]);
  });
});

describe('audit lines', () => {
  it('records register, login success and failure, and alert changes — never the password or token', async () => {
    const registered = await post('/api/v1/auth/register', { username: 'auditor', password: PASSWORD }, { 'x-request-id': 'audit-register' });
    expect(registered.status).toBe(201);
    const { token, user } = (await registered.json()) as { token: string; user: { id: number } };
    expect((await post('/api/v1/auth/login', { username: 'auditor', password: 'wrong password!' }, { 'x-request-id': 'audit-bad-login' })).status).toBe(401);
    expect((await post('/api/v1/auth/login', { username: 'Auditor', password: PASSWORD }, { 'x-request-id': 'audit-login' })).status).toBe(200);
    const auth = { authorization: `Bearer ${token}` };
    const created = await post('/api/v1/alerts', { symbol: 'AAPL', condition: 'above', threshold: 1e6 }, { ...auth, 'x-request-id': 'audit-alert' });
    expect(created.status).toBe(201);
    const alert = (await created.json()) as { id: number };
    const patched = await fetch(`${server.http}/api/v1/alerts/${alert.id}`, {
      method: 'PATCH',
      headers: { ...auth, 'content-type': 'application/json', 'x-request-id': 'audit-patch' },
      body: JSON.stringify({ threshold: 2e6 }),
    });
    expect(patched.status).toBe(200);
    expect((await fetch(`${server.http}/api/v1/alerts/${alert.id}`, { method: 'DELETE', headers: { ...auth, 'x-request-id': 'audit-delete' } })).status).toBe(204);

    const audit = (reqId: string) => waitFor(() => linesFor(reqId).find((l) => l.audit !== undefined), `the audit line of ${reqId}`);
    expect(await audit('audit-register')).toMatchObject({ level: INFO, audit: 'account.registered', userId: user.id, username: 'auditor' });
    expect(await audit('audit-bad-login')).toMatchObject({ level: INFO, audit: 'login.failed', username: 'auditor' });
    expect(await audit('audit-login')).toMatchObject({ level: INFO, audit: 'login.succeeded', userId: user.id });
    expect(await audit('audit-alert')).toMatchObject({ audit: 'alert.created', userId: user.id, alertId: alert.id, symbol: 'AAPL' });
    expect(await audit('audit-patch')).toMatchObject({ audit: 'alert.updated', alertId: alert.id, changes: ['threshold'] });
    expect(await audit('audit-delete')).toMatchObject({ audit: 'alert.deleted', alertId: alert.id });

    const everything = server.logs.map((l) => JSON.stringify(l)).join('\n');
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain('wrong password!');
    expect(everything).not.toContain(token);
  }, 120_000);
});
