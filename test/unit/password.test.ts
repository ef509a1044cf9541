import { describe, expect, it } from 'vitest';
import { LoginThrottle } from '../../src/domain/accounts/login-throttle.js';
import { hashPassword, verifyAgainstDecoy, verifyPassword } from '../../src/domain/accounts/password.js';
import { TokenService } from '../../src/domain/accounts/tokens.js';

// Cheaper parameters keep the suite quick; the format carries them, so verification is the same code.
const FAST = { ln: 10, r: 8, p: 1 };

describe('password hashing (scrypt)', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery', FAST);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('stores the parameters and a per-user salt with the hash', async () => {
    const a = await hashPassword('same password', FAST);
    const b = await hashPassword('same password', FAST);
    expect(a).toMatch(/^scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(a).not.toBe(b);
    expect(a.split('$')[2]).not.toBe(b.split('$')[2]);
  });

  it('the default parameters are the strong ones, and verification reads them from the hash', async () => {
    const stored = await hashPassword('default cost');
    expect(stored.startsWith('scrypt$ln=17,r=8,p=1$')).toBe(true);
    expect(await verifyPassword('default cost', stored)).toBe(true);
  });

  it('refuses tampered or foreign stored values instead of throwing', async () => {
    const stored = await hashPassword('pw-123456', FAST);
    const [scheme, params, salt, hash] = stored.split('$') as [string, string, string, string];
    const flipped = (hash[0] === 'A' ? 'B' : 'A') + hash.slice(1);
    expect(await verifyPassword('pw-123456', [scheme, params, salt, flipped].join('$'))).toBe(false);
    expect(await verifyPassword('pw-123456', [scheme, 'ln=10,r=8,p=2', salt, hash].join('$'))).toBe(false);
    expect(await verifyPassword('pw-123456', [scheme, 'ln=40,r=8,p=1', salt, hash].join('$'))).toBe(false);
    expect(await verifyPassword('pw-123456', '$2b$10$abcdefghijklmnopqrstuv')).toBe(false);
    expect(await verifyPassword('pw-123456', '')).toBe(false);
  });

  it('treats canonically equivalent Unicode passwords as the same (NFKC)', async () => {
    const stored = await hashPassword('caf\u00e9-caf\u00e9', FAST);
    expect(await verifyPassword('cafe\u0301-cafe\u0301', stored)).toBe(true);
  });

  it('the decoy check for unknown users always answers false', async () => {
    expect(await verifyAgainstDecoy('anything at all')).toBe(false);
  });
});

describe('login throttle', () => {
  const options = { freeFailures: 3, baseLockMs: 1_000, maxLockMs: 8_000, forgetMs: 60_000, maxKeys: 3 };

  it('locks a key after the free failures, doubling each time up to the cap', () => {
    const t = new LoginThrottle(options);
    expect([t.failed('k', 0), t.failed('k', 0)]).toEqual([0, 0]);
    expect(t.failed('k', 0)).toBe(1_000);
    expect(t.retryAfterMs('k', 400)).toBe(600);
    expect(t.retryAfterMs('k', 1_000)).toBe(0);
    expect(t.failed('k', 1_000)).toBe(2_000);
    expect(t.failed('k', 3_000)).toBe(4_000);
    expect(t.failed('k', 7_000)).toBe(8_000);
    expect(t.failed('k', 15_000)).toBe(8_000);
  });

  it('counts keys apart, forgets after a quiet period, and clears on success', () => {
    const t = new LoginThrottle(options);
    for (let i = 0; i < 3; i++) t.failed('a', 0);
    expect(t.retryAfterMs('a', 0)).toBeGreaterThan(0);
    expect(t.retryAfterMs('b', 0)).toBe(0);
    expect(t.retryAfterMs('a', 61_001)).toBe(0);
    expect(t.failed('a', 61_001)).toBe(0);
    t.failed('c', 0);
    t.failed('c', 0);
    t.succeeded('c');
    expect(t.failed('c', 0)).toBe(0);
  });

  it('stays bounded: past maxKeys the stalest key is dropped', () => {
    const t = new LoginThrottle({ ...options, freeFailures: 1 });
    for (const key of ['a', 'b', 'c', 'd']) t.failed(key, 0);
    expect(t.retryAfterMs('a', 0)).toBe(0);
    expect(t.retryAfterMs('d', 0)).toBeGreaterThan(0);
  });
});

describe('access tokens (HS256)', () => {
  const secret = 'a-test-secret-that-is-long-enough-32';
  let now = Date.UTC(2024, 0, 2, 15);
  const tokens = new TokenService(secret, 60, () => now);

  it('round-trips the user and expires after the lifetime', async () => {
    const { token, expiresAt } = await tokens.issue({ id: 7, username: 'alice' });
    expect(expiresAt).toBe(new Date(now + 60_000).toISOString());
    expect(await tokens.verify(token)).toEqual({ id: 7, username: 'alice' });
    now += 61_000;
    expect(await tokens.verify(token)).toBeUndefined();
  });

  it('refuses tokens signed with another secret, altered, unsigned, or not tokens at all', async () => {
    const { token } = await tokens.issue({ id: 7, username: 'alice' });
    const other = await new TokenService('another-secret-that-is-long-enough!', 60, () => now).issue({ id: 7, username: 'alice' });
    expect(await tokens.verify(other.token)).toBeUndefined();
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const forged = Buffer.from(JSON.stringify({ name: 'mallory', sub: '1', iss: 'tickstream', exp: Math.floor(now / 1000) + 60 })).toString('base64url');
    expect(await tokens.verify(`${header}.${forged}.${signature}`)).toBeUndefined();
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    expect(await tokens.verify(`${none}.${payload}.`)).toBeUndefined();
    expect(await tokens.verify('not-a-token')).toBeUndefined();
  });

  it('a token verified before still expires on the second of its exp, and a copy of it altered is refused', async () => {
    const short = new TokenService(secret, 30, () => now);
    const { token } = await short.issue({ id: 9, username: 'bob' });
    expect(await short.verify(token)).toEqual({ id: 9, username: 'bob' });
    const [header, , signature] = token.split('.') as [string, string, string];
    const forged = Buffer.from(JSON.stringify({ name: 'mallory', sub: '1', iss: 'tickstream', exp: Math.floor(now / 1000) + 60 })).toString('base64url');
    expect(await short.verify(`${header}.${forged}.${signature}`)).toBeUndefined();
    now += 29_999;
    expect(await short.verify(token)).toEqual({ id: 9, username: 'bob' });
    now += 1;
    expect(await short.verify(token)).toBeUndefined();
  });

  it('answers a remembered token with a copy its caller may not change for the next one', async () => {
    const { token } = await tokens.issue({ id: 7, username: 'alice' });
    const first = await tokens.verify(token);
    (first as { username: string }).username = 'changed';
    expect(await tokens.verify(token)).toEqual({ id: 7, username: 'alice' });
  });
});
