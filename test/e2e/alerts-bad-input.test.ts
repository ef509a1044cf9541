import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountsApp, type AccountsApp } from '../support/accounts-app.js';

/** Bad alert input answers 400 with its stable code, on /api/v1/alerts and on the gostocks /alerts. */
let ctx: AccountsApp;
let token: string;
let userId: number;

const post = (url: string, payload: unknown) =>
  ctx.app.inject({ method: 'POST', url, payload: payload as object, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
const v1 = (overrides: Record<string, unknown>) => post('/api/v1/alerts', { symbol: 'AAPL', condition: 'above', threshold: 100, ...overrides });
const legacy = (overrides: Record<string, unknown>) => post('/alerts', { user_id: userId, symbol: 'AAPL', target_price: 100, condition: 'ABOVE', ...overrides });

beforeAll(async () => {
  ctx = await accountsApp({ maxAlertsPerUser: 3 });
  ({ token, id: userId } = await ctx.register('carol'));
});

afterAll(async () => {
  await ctx?.close();
});

describe('alert input validation', () => {
  const cases: [string, Record<string, unknown>, Record<string, unknown>, string][] = [
    ['unknown condition', { condition: 'sideways' }, { condition: 'SIDEWAYS' }, 'INVALID_CONDITION'],
    ['condition in the wrong case', { condition: 'ABOVE' }, { condition: 'above' }, 'INVALID_CONDITION'],
    ['condition of the wrong type', { condition: 1 }, { condition: null }, 'INVALID_CONDITION'],
    ['unknown symbol', { symbol: 'NOPE' }, { symbol: 'NOPE' }, 'UNKNOWN_SYMBOL'],
    ['negative price', { threshold: -5 }, { target_price: -5 }, 'INVALID_PRICE'],
    ['zero price', { threshold: 0 }, { target_price: 0 }, 'INVALID_PRICE'],
    ['price as text', { threshold: 'abc' }, { target_price: 'abc' }, 'INVALID_PRICE'],
    ['numeric text is still text', { threshold: '100' }, { target_price: '100' }, 'INVALID_PRICE'],
    ['price as boolean or array', { threshold: true }, { target_price: [100] }, 'INVALID_PRICE'],
    ['price as null', { threshold: null }, { target_price: null }, 'INVALID_PRICE'],
  ];

  for (const [what, v1Body, legacyBody, code] of cases) {
    it(`${what} → 400 ${code}`, async () => {
      for (const res of [await v1(v1Body), await legacy(legacyBody)]) {
        expect({ status: res.statusCode, code: res.json().error?.code }).toEqual({ status: 400, code });
        expect(typeof res.json().error.message).toBe('string');
      }
    });
  }

  it('a note over 500 characters → 400 NOTE_TOO_LONG; 500 is fine', async () => {
    const long = await v1({ note: 'x'.repeat(501) });
    expect({ status: long.statusCode, code: long.json().error.code }).toEqual({ status: 400, code: 'NOTE_TOO_LONG' });
    const ok = await v1({ note: 'x'.repeat(500) });
    expect(ok.statusCode).toBe(201);
    const patch = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/alerts/${ok.json().id}`, payload: { note: 'y'.repeat(501) }, headers: { authorization: `Bearer ${token}` } });
    expect(patch.json().error.code).toBe('NOTE_TOO_LONG');
  });

  it('other malformed fields and bodies are BAD_REQUEST', async () => {
    for (const body of [{ mode: 'sometimes' }, { cooldownSeconds: -1 }, { cooldownSeconds: 1.5 }, { note: 5 }, { extra: true }]) {
      const res = await v1(body);
      expect({ body, status: res.statusCode, code: res.json().error.code }).toEqual({ body, status: 400, code: 'BAD_REQUEST' });
    }
    for (const raw of ['not json', '[]', 'null']) {
      const res = await post('/api/v1/alerts', raw);
      expect(res.statusCode).toBe(400);
    }
    const badId = await ctx.app.inject({ method: 'GET', url: '/api/v1/alerts/abc', headers: { authorization: `Bearer ${token}` } });
    expect(badId.json().error.code).toBe('BAD_REQUEST');
    const hugeId = await ctx.app.inject({ method: 'GET', url: '/api/v1/alerts/99999999999', headers: { authorization: `Bearer ${token}` } });
    expect(hugeId.statusCode).toBe(400);
    const badStatus = await ctx.app.inject({ method: 'GET', url: '/api/v1/alerts?status=fired', headers: { authorization: `Bearer ${token}` } });
    expect(badStatus.statusCode).toBe(400);
  });

  it('nothing invalid was stored, and the per-user cap answers 409 TOO_MANY_ALERTS', async () => {
    expect(await ctx.db.alerts.list(userId)).toHaveLength(1);
    expect((await v1({ symbol: 'msft' })).json()).toMatchObject({ symbol: 'MSFT', mode: 'once', cooldownSeconds: 0, note: null, status: 'active', triggerCount: 0 });
    expect((await legacy({})).statusCode).toBe(201);
    const over = await v1({});
    expect({ status: over.statusCode, code: over.json().error.code }).toEqual({ status: 409, code: 'TOO_MANY_ALERTS' });
  });

  it('a valid re-arming alert keeps what was asked for', async () => {
    const other = await ctx.register('dave');
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/alerts',
      payload: { symbol: 'AAPL', condition: 'pct_move', threshold: 2.5, mode: 'rearm', cooldownSeconds: 300, note: 'big move' },
      headers: { authorization: `Bearer ${other.token}` },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ condition: 'pct_move', threshold: 2.5, mode: 'rearm', cooldownSeconds: 300, note: 'big move' });
    expect(ctx.changes.changed.at(-1)).toMatchObject({ id: res.json().id, userId: other.id, armed: true });
  });
});
