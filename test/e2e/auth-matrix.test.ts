import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenService } from '../../src/domain/accounts/tokens.js';
import { accountsApp, APP_SECRET, type AccountsApp } from '../support/accounts-app.js';

/**
 * Authorization matrix over the real HTTP app: every per-user route and verb, called without a
 * token, with bad tokens, and with another user's token. None may succeed, none may change the
 * owner's data, and another user's alert id must look exactly like one that does not exist.
 */
let ctx: AccountsApp;
let alice: { id: number; token: string };
let bob: { id: number; token: string };
let aliceAlert: Record<string, unknown>;
const MISSING_ID = 2_000_000_000;

const call = (options: InjectOptions) => ctx.app.inject(options);
const withToken = (token: string | undefined, options: InjectOptions): InjectOptions => ({
  ...options,
  headers: { ...(options.headers ?? {}), ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
});

/** Every per-user route and verb, aimed at Alice's data. */
const routes = (): { name: string; options: InjectOptions }[] => {
  const id = aliceAlert.id as number;
  return [
    { name: 'GET /api/v1/me', options: { method: 'GET', url: '/api/v1/me' } },
    { name: 'GET /api/v1/alerts', options: { method: 'GET', url: '/api/v1/alerts' } },
    { name: 'POST /api/v1/alerts', options: { method: 'POST', url: '/api/v1/alerts', payload: { symbol: 'AAPL', condition: 'above', threshold: 1 } } },
    { name: 'GET /api/v1/alerts/:id', options: { method: 'GET', url: `/api/v1/alerts/${id}` } },
    { name: 'PATCH /api/v1/alerts/:id', options: { method: 'PATCH', url: `/api/v1/alerts/${id}`, payload: { threshold: 1, status: 'disabled', note: 'pwned' } } },
    { name: 'DELETE /api/v1/alerts/:id', options: { method: 'DELETE', url: `/api/v1/alerts/${id}` } },
    { name: 'GET /api/v1/alerts/:id/events', options: { method: 'GET', url: `/api/v1/alerts/${id}/events` } },
    { name: 'POST /alerts', options: { method: 'POST', url: '/alerts', payload: { user_id: alice.id, symbol: 'AAPL', target_price: 1, condition: 'ABOVE' } } },
    { name: 'GET /alerts', options: { method: 'GET', url: `/alerts?user_id=${alice.id}` } },
  ];
};

const aliceState = async () => ({
  alerts: (await ctx.db.alerts.list(alice.id)).map((a) => ({ ...a })),
  bobs: await ctx.db.alerts.list(bob.id),
});

beforeAll(async () => {
  ctx = await accountsApp();
  alice = await ctx.register('alice');
  bob = await ctx.register('bob');
  const res = await call(withToken(alice.token, { method: 'POST', url: '/api/v1/alerts', payload: { symbol: 'AAPL', condition: 'above', threshold: 150, note: 'private' } }));
  expect(res.statusCode).toBe(201);
  aliceAlert = res.json();
});

afterAll(async () => {
  await ctx?.close();
});

describe('authorization matrix', () => {
  it('without a token every per-user route answers 401 AUTH_REQUIRED and changes nothing', async () => {
    const before = await aliceState();
    for (const { name, options } of routes()) {
      const res = await call(options);
      expect({ name, status: res.statusCode, code: res.json().error?.code }).toEqual({ name, status: 401, code: 'AUTH_REQUIRED' });
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
    expect(await aliceState()).toEqual(before);
  });

  it('with a malformed, forged, expired or wrongly signed token: 401 INVALID_TOKEN everywhere', async () => {
    const before = await aliceState();
    const expired = (await new TokenService(APP_SECRET, 60, () => Date.now() - 3_600_000).issue({ id: alice.id, username: 'alice' })).token;
    const wrongKey = (await new TokenService('some-other-secret-0123456789abcdef', 3600).issue({ id: alice.id, username: 'alice' })).token;
    const [h, , s] = alice.token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ name: 'alice', sub: String(alice.id), iss: 'tickstream', exp: 9_999_999_999 })).toString('base64url')}.${s}`;
    for (const token of ['garbage', expired, wrongKey, forged, `${alice.token}x`]) {
      for (const { name, options } of routes()) {
        const res = await call(withToken(token, options));
        expect({ name, status: res.statusCode, code: res.json().error?.code }).toEqual({ name, status: 401, code: 'INVALID_TOKEN' });
      }
    }
    // A header that is not a bearer token at all.
    const basic = await call({ method: 'GET', url: '/api/v1/alerts', headers: { authorization: 'Basic YWxpY2U6cHc=' } });
    expect(basic.statusCode).toBe(401);
    expect(await aliceState()).toEqual(before);
  });

  it('another user’s token: 404 for the alert (same answer as a missing id), 403 for a foreign user_id, no success', async () => {
    const before = await aliceState();
    const expected: Record<string, number> = {
      'GET /api/v1/me': 200, // Bob's own account
      'GET /api/v1/alerts': 200, // Bob's own (empty) list
      'POST /api/v1/alerts': 201, // creates Bob's own alert, checked below
      'GET /api/v1/alerts/:id': 404,
      'PATCH /api/v1/alerts/:id': 404,
      'DELETE /api/v1/alerts/:id': 404,
      'GET /api/v1/alerts/:id/events': 404,
      'POST /alerts': 403,
      'GET /alerts': 403,
    };
    for (const { name, options } of routes()) {
      const res = await call(withToken(bob.token, options));
      expect({ name, status: res.statusCode }).toEqual({ name, status: expected[name] });
      if (res.statusCode === 404) {
        const missing = await call(withToken(bob.token, { ...options, url: String(options.url).replace(`/alerts/${aliceAlert.id}`, `/alerts/${MISSING_ID}`) }));
        expect(res.json()).toEqual(missing.json());
        expect(res.json().error.code).toBe('ALERT_NOT_FOUND');
      }
      if (res.statusCode === 403) expect(res.json().error.code).toBe('FORBIDDEN');
      if (name === 'GET /api/v1/me') expect(res.json().user).toMatchObject({ id: bob.id, username: 'bob' });
      if (name === 'GET /api/v1/alerts') expect(JSON.stringify(res.json())).not.toContain('private');
    }
    const after = await aliceState();
    expect(after.alerts).toEqual(before.alerts);
    // Bob's one success made an alert of Bob's, never of Alice's.
    expect(after.bobs.map((a) => a.threshold)).toEqual([1]);
  });

  it('the owner can do all of it', async () => {
    const get = await call(withToken(alice.token, { method: 'GET', url: `/api/v1/alerts/${aliceAlert.id}` }));
    expect(get.json()).toEqual(aliceAlert);
    const legacy = await call(withToken(alice.token, { method: 'GET', url: `/alerts?user_id=${alice.id}&active_only=true` }));
    expect(legacy.json().alerts).toEqual([expect.objectContaining({ id: aliceAlert.id, user_id: alice.id, target_price: 150, condition: 'ABOVE', is_active: true })]);
    const events = await call(withToken(alice.token, { method: 'GET', url: `/api/v1/alerts/${aliceAlert.id}/events` }));
    expect(events.json()).toEqual({ events: [] });
  });
});

describe('mass assignment', () => {
  const serverFields = { user_id: 2, userId: 2, id: 999, status: 'triggered', triggered_at: '2020-01-01T00:00:00Z', triggeredAt: '2020-01-01T00:00:00Z', trigger_count: 7, triggerCount: 7, createdAt: '2020-01-01T00:00:00Z', armed: true, last_fired_seq: 1 };

  it('server-owned fields in a create body are refused (400) and create nothing', async () => {
    const before = await aliceState();
    for (const [field, value] of Object.entries(serverFields)) {
      const res = await call(withToken(alice.token, { method: 'POST', url: '/api/v1/alerts', payload: { symbol: 'AAPL', condition: 'above', threshold: 10, [field]: value } }));
      expect({ field, status: res.statusCode, code: res.json().error.code }).toEqual({ field, status: 400, code: 'BAD_REQUEST' });
    }
    expect(await aliceState()).toEqual(before);
  });

  it('server-owned fields in a patch are refused and change nothing; status may only be active or disabled', async () => {
    const before = await aliceState();
    const url = `/api/v1/alerts/${aliceAlert.id}`;
    for (const [field, value] of Object.entries(serverFields)) {
      const res = await call(withToken(alice.token, { method: 'PATCH', url, payload: { note: 'changed', [field]: value } }));
      expect({ field, status: res.statusCode }).toEqual({ field, status: 400 });
    }
    expect(await aliceState()).toEqual(before);
    const disabled = await call(withToken(alice.token, { method: 'PATCH', url, payload: { status: 'disabled' } }));
    expect(disabled.json()).toMatchObject({ id: aliceAlert.id, status: 'disabled', triggerCount: 0, triggeredAt: null });
    const back = await call(withToken(alice.token, { method: 'PATCH', url, payload: { status: 'active' } }));
    expect(back.json()).toMatchObject({ status: 'active' });
  });

  it('the gostocks route refuses server-owned fields too', async () => {
    const before = await aliceState();
    for (const extra of [{ id: 5 }, { is_active: false }, { triggered_at: '2020-01-01T00:00:00Z' }, { status: 'triggered' }]) {
      const res = await call(withToken(alice.token, { method: 'POST', url: '/alerts', payload: { user_id: alice.id, symbol: 'AAPL', target_price: 10, condition: 'ABOVE', ...extra } }));
      expect(res.statusCode).toBe(400);
    }
    expect(await aliceState()).toEqual(before);
  });

  it('registration refuses anything but username and password', async () => {
    for (const extra of [{ id: 1 }, { role: 'admin' }, { password_hash: 'x' }]) {
      const res = await call({ method: 'POST', url: '/api/v1/auth/register', payload: { username: 'mallory', password: 'password-123', ...extra } });
      expect(res.statusCode).toBe(400);
    }
    expect(await ctx.db.accounts.findByUsername('mallory')).toBeUndefined();
  });
});
