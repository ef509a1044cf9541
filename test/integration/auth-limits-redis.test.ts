import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, deletePrefix, keysUnder, redisUrl, uniquePrefix } from '../support/redis.js';
import { upgradeThenReset } from '../support/raw-upgrade.js';
import { startServer, type RunningServer } from '../support/server.js';

/**
 * With REDIS_URL set, the login and registration budgets live in Redis: two API processes (the
 * real CLI, each with its own embedded database) spend one budget per address between them.
 */

const post = (server: RunningServer, path: string, body: object) =>
  fetch(`${server.http}/api/v1/auth/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('auth rate limits shared through Redis by two processes', () => {
  const prefix = uniquePrefix('auth-limits');
  let a: RunningServer;
  let b: RunningServer;
  beforeAll(async () => {
    const env = { ROLES: 'api', REDIS_URL: redisUrl, REDIS_PREFIX: prefix, AUTH_LOGIN_ATTEMPTS_PER_IP: '6', AUTH_REGISTRATIONS_PER_IP: '3' };
    [a, b] = await Promise.all([startServer(env), startServer(env)]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await deletePrefix(prefix);
  });

  it('failed logins from one address count across both processes', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await post(i % 2 === 0 ? a : b, 'login', { username: `nobody${i}`, password: 'password-123' })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401]);
    for (const server of [a, b]) {
      const refused = await post(server, 'login', { username: 'nobody-else', password: 'password-123' });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('TOO_MANY_LOGIN_ATTEMPTS');
    }
  });

  it('registrations from one address count across both processes', async () => {
    const statuses: number[] = [];
    for (const [i, server] of [a, b, a, b].entries()) statuses.push((await post(server, 'register', { username: `shared${i}`, password: 'password-123' })).status);
    expect(statuses).toEqual([201, 201, 201, 429]);
    const admin = await adminClient();
    try {
      expect((await keysUnder(admin, `${prefix}auth:`)).length).toBeGreaterThan(0);
    } finally {
      await admin.close();
    }
  });

  it('a process without the gateway answers a WebSocket upgrade 404 NOT_FOUND instead of leaving it hanging', async () => {
    const { statusLine, answer } = await upgradeThenReset(a.port, '/ws?symbols=AAPL');
    expect(statusLine).toMatch(/^HTTP\/1\.1 404 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).error.code).toBe('NOT_FOUND');
  });
});
