import { describe, expect, it } from 'vitest';
import { AccountsApi, AccountsUnavailable, isSessionUsable } from '../../web/src/lib/accounts.js';
import { backoffDelay } from '../../src/client/backoff.js';
import { keyLabel, SHORTCUTS, shortcutFor, type KeyEventLike } from '../../web/src/lib/shortcuts.js';
import { StreamStats } from '../../web/src/lib/stats.js';

const key = (k: string, over: Partial<KeyEventLike> = {}): KeyEventLike => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, target: { tagName: 'BODY' }, ...over });

describe('shortcuts', () => {
  it('single keys map to actions', () => {
    expect(shortcutFor(key('?'))).toBe('help');
    expect(shortcutFor(key('t'))).toBe('theme');
    expect(shortcutFor(key('T'))).toBe('theme');
    expect(shortcutFor(key('2'))).toBe('interval-1m');
    expect(shortcutFor(key('Escape'))).toBe('close');
    expect(shortcutFor(key('z'))).toBeUndefined();
  });

  it("takes the reference dashboard's four Ctrl/Cmd combinations and no other", () => {
    expect(shortcutFor(key('k', { ctrlKey: true }))).toBe('connection');
    expect(shortcutFor(key('K', { metaKey: true }))).toBe('connection');
    expect(shortcutFor(key('l', { ctrlKey: true }))).toBe('toggleLog');
    expect(shortcutFor(key('r', { metaKey: true }))).toBe('clearAll');
    expect(shortcutFor(key('h', { ctrlKey: true }))).toBe('highFrequency');
    expect(shortcutFor(key('k'))).toBe('previous');
    expect(shortcutFor(key('r'))).toBe('connection');
    expect(shortcutFor(key('R', { ctrlKey: true, shiftKey: true }))).toBeUndefined();
    expect(shortcutFor(key('r', { ctrlKey: true, repeat: true }))).toBeUndefined();
    expect(shortcutFor(key('k', { ctrlKey: true, target: { tagName: 'INPUT' } }))).toBeUndefined();
  });

  it('writes Ctrl+K on PCs and ⌘K on Macs', () => {
    const ctrlK = SHORTCUTS.find((s) => s.action === 'connection' && s.mod)!;
    expect(keyLabel(ctrlK, false)).toBe('Ctrl+K');
    expect(keyLabel(ctrlK, true)).toBe('⌘K');
    expect(keyLabel(SHORTCUTS.find((s) => s.key === 'Escape')!, false)).toBe('Esc');
  });

  it('never takes other Ctrl, Meta or Alt combinations, nor keys typed into a field', () => {
    expect(shortcutFor(key('t', { ctrlKey: true }))).toBeUndefined();
    expect(shortcutFor(key('p', { metaKey: true }))).toBeUndefined();
    expect(shortcutFor(key('p', { altKey: true }))).toBeUndefined();
    for (const tagName of ['INPUT', 'TEXTAREA', 'SELECT']) expect(shortcutFor(key('t', { target: { tagName } }))).toBeUndefined();
    expect(shortcutFor(key('t', { target: { tagName: 'DIV', isContentEditable: true } }))).toBeUndefined();
    expect(shortcutFor(key('t', { defaultPrevented: true }))).toBeUndefined();
  });
});

describe('backoff', () => {
  it('doubles from the initial delay up to the cap; jitter takes off up to half', () => {
    const options = { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0.5 };
    expect([0, 1, 2, 3, 4, 5].map((a) => backoffDelay(a, options, () => 0))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(backoffDelay(3, options, () => 0.999999)).toBe(400);
  });
});

describe('StreamStats', () => {
  it('counts messages per second over its window and gives latency percentiles', () => {
    const stats = new StreamStats(2_000, 250, 100);
    for (let i = 0; i < 100; i++) stats.record([10_000 + i * 10 - (i + 1)], 10_000 + i * 10);
    expect(stats.rate(11_000)).toBe(50);
    expect(stats.percentile(0.5)).toBe(50);
    expect(stats.percentile(0.99)).toBe(99);
    expect(stats.rate(20_000)).toBe(0);
  });

  it('counts snapshots as messages but not for latency', () => {
    const stats = new StreamStats();
    stats.record([], 5_000, 3);
    expect(stats.total).toBe(3);
    expect(stats.percentile(0.5)).toBeUndefined();
  });
});

describe('accounts client', () => {
  const response = (status: number, body: unknown) => ({ ok: status < 400, status, json: async () => body });

  it('learns from the OpenAPI document whether the server has accounts, without touching their routes', async () => {
    const calls: string[] = [];
    const api = (paths: Record<string, unknown>) =>
      new AccountsApi(async (url) => {
        calls.push(url);
        return response(200, { paths });
      });
    await expect(api({ '/api/v1/quotes': {} }).available()).resolves.toBe(false);
    await expect(api({ '/api/v1/auth/login': {} }).available()).resolves.toBe(true);
    expect(calls).toEqual(['/docs/json', '/docs/json']);
  });

  it('404 or 501 on login means no accounts; other errors carry the server’s code and message', async () => {
    const missing = new AccountsApi(async () => response(404, { error: { code: 'NOT_FOUND', message: 'No route' } }));
    await expect(missing.login('a', 'b')).rejects.toBeInstanceOf(AccountsUnavailable);
    const refused = new AccountsApi(async () => response(401, { error: { code: 'INVALID_CREDENTIALS', message: 'Wrong username or password.' } }));
    await expect(refused.login('a', 'b')).rejects.toMatchObject({ status: 401, code: 'INVALID_CREDENTIALS', message: 'Wrong username or password.' });
  });

  it('a stored session is used only until shortly before it expires', () => {
    const session = { token: 't', user: { id: 1, username: 'a' }, expiresAt: new Date(100_000).toISOString() };
    expect(isSessionUsable(session, 0)).toBe(true);
    expect(isSessionUsable(session, 50_000)).toBe(false);
    expect(isSessionUsable(undefined, 0)).toBe(false);
  });
});
