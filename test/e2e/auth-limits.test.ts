import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCRYPT, hashPassword, needsRehash, verifyPassword } from '../../src/domain/accounts/password.js';
import { accountsApp, type AccountsApp } from '../support/accounts-app.js';

/**
 * Rate limits of the auth routes (the real HTTP app through inject(), each request from the
 * address it names) and the rehash of weaker password hashes at login.
 */

type Reply = Awaited<ReturnType<AccountsApp['app']['inject']>>;

function post(ctx: AccountsApp, url: string, body: object, ip: string): Promise<Reply> {
  return ctx.app.inject({ method: 'POST', url, payload: body, remoteAddress: ip });
}

function expectRefused(res: Reply, code: string): void {
  expect(res.statusCode).toBe(429);
  expect(res.json()).toEqual({ error: { code, message: expect.any(String) } });
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
}

describe('login and registration budgets', () => {
  let ctx: AccountsApp;
  beforeAll(async () => (ctx = await accountsApp({ limits: { loginPerAddress: 20, loginPerAccount: 5, registerPerAddress: 5 } })));
  afterAll(() => ctx?.close());

  it('spraying 60 usernames from one address is refused once the address budget is spent; other addresses are not', async () => {
    const statuses: number[] = [];
    let refused: Reply | undefined;
    for (let i = 0; i < 60; i++) {
      const res = await post(ctx, '/api/v1/auth/login', { username: `spray${i}`, password: 'Winter2026!' }, '10.1.0.1');
      statuses.push(res.statusCode);
      if (res.statusCode === 429) refused ??= res;
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
    expectRefused(refused!, 'TOO_MANY_LOGIN_ATTEMPTS');
    expect((await post(ctx, '/api/v1/auth/login', { username: 'spray0', password: 'Winter2026!' }, '10.1.0.2')).statusCode).toBe(401);
    const metrics = await ctx.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/tickstream_logins_total\{result="limited"\} 40/);
  });

  it('a registration flood from one address is refused after its budget; another address still registers', async () => {
    const statuses: number[] = [];
    let refused: Reply | undefined;
    for (let i = 0; i < 12; i++) {
      const res = await post(ctx, '/api/v1/auth/register', { username: `flood${i}`, password: 'password-123' }, '10.2.0.1');
      statuses.push(res.statusCode);
      if (res.statusCode === 429) refused ??= res;
    }
    expect(statuses).toEqual([...Array(5).fill(201), ...Array(7).fill(429)]);
    expectRefused(refused!, 'TOO_MANY_REGISTRATIONS');
    // Refused registrations created nothing.
    expect(await ctx.db.accounts.findByUsername('flood5')).toBeUndefined();
    expect((await post(ctx, '/api/v1/auth/register', { username: 'elsewhere', password: 'password-123' }, '10.2.0.2')).statusCode).toBe(201);
  });

  it('one account guessed from many addresses is refused after its budget, whatever the address', async () => {
    await ctx.register('victim', 'the-right-one');
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await post(ctx, '/api/v1/auth/login', { username: 'VICTIM', password: `guess-${i}` }, `10.3.0.${i + 1}`)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    expectRefused(await post(ctx, '/api/v1/auth/login', { username: 'victim', password: 'nope' }, '10.3.1.1'), 'TOO_MANY_LOGIN_ATTEMPTS');
    // Other accounts from the same addresses are not affected.
    expect((await post(ctx, '/api/v1/auth/login', { username: 'bystander', password: 'nope' }, '10.3.0.1')).statusCode).toBe(401);
  });

  it('successful logins give their attempt back: a busy address of real users is not refused', async () => {
    await ctx.register('regular', 'password-123');
    for (let i = 0; i < 30; i++) expect((await post(ctx, '/api/v1/auth/login', { username: 'regular', password: 'password-123' }, '10.4.0.1')).statusCode).toBe(200);
  });
});

describe('password hashes move up to the current parameters at login', () => {
  let ctx: AccountsApp;
  // Production's parameters (2^17): this suite checks the real cost end to end.
  beforeAll(async () => (ctx = await accountsApp({ passwordParams: DEFAULT_SCRYPT })));
  afterAll(() => ctx?.close());

  it('the default is OWASP’s scrypt N=2^17, r=8, p=1', () => {
    expect(DEFAULT_SCRYPT).toEqual({ ln: 17, r: 8, p: 1 });
  });

  it('needsRehash compares each parameter with the target', async () => {
    const old = await hashPassword('pw-pw-pw-pw', { ln: 15, r: 8, p: 1 });
    expect(needsRehash(old)).toBe(true);
    expect(needsRehash(old, { ln: 15, r: 8, p: 1 })).toBe(false);
    expect(needsRehash(old, { ln: 14, r: 8, p: 1 })).toBe(false);
    expect(needsRehash(old, { ln: 15, r: 16, p: 1 })).toBe(true);
    expect(needsRehash('not-a-hash')).toBe(true);
  });

  it('a hash stored with the old parameters (2^15) verifies, and is rehashed to 2^17 by a successful login only', async () => {
    const old = await hashPassword('old-password-1', { ln: 15, r: 8, p: 1 });
    expect(old.startsWith('scrypt$ln=15,r=8,p=1$')).toBe(true);
    const user = (await ctx.db.accounts.create('oldtimer', old))!;

    const wrong = await post(ctx, '/api/v1/auth/login', { username: 'oldtimer', password: 'not-it-at-all' }, '10.5.0.1');
    expect(wrong.statusCode).toBe(401);
    expect((await ctx.db.accounts.findById(user.id))!.passwordHash).toBe(old);

    const ok = await post(ctx, '/api/v1/auth/login', { username: 'oldtimer', password: 'old-password-1' }, '10.5.0.1');
    expect(ok.statusCode).toBe(200);
    const stored = (await ctx.db.accounts.findById(user.id))!.passwordHash;
    expect(stored.startsWith('scrypt$ln=17,r=8,p=1$')).toBe(true);
    expect(await verifyPassword('old-password-1', stored)).toBe(true);

    // Already current: a second login leaves it as it is.
    expect((await post(ctx, '/api/v1/auth/login', { username: 'oldtimer', password: 'old-password-1' }, '10.5.0.1')).statusCode).toBe(200);
    expect((await ctx.db.accounts.findById(user.id))!.passwordHash).toBe(stored);
  });
});
