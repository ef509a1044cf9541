import { randomUUID } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { adminClient, deletePrefix, redisUrl, uniquePrefix } from '../support/redis.js';
import { startServer, type RunningServer } from '../support/server.js';

/**
 * An all-roles process on Redis shares one command connection (store, limiter, sequencer, log
 * appends, publishing, auth limits) and one subscriber; only blocking stream reads get their own,
 * one per consumer group (processor, alerts, orders, analytics). Counted by name in CLIENT LIST,
 * as the shared Redis also serves other suites.
 */
const EXPECTED = ['commands', 'consumer-alerts', 'consumer-analytics', 'consumer-orders', 'consumer-processor', 'subscriber'];
const prefix = uniquePrefix('connection-count');
let server: RunningServer | undefined;

afterAll(async () => {
  await server?.stop('SIGKILL');
  await deletePrefix(prefix);
});

async function connectionNames(base: string): Promise<string[]> {
  const admin = await adminClient();
  try {
    const list = String(await admin.sendCommand(['CLIENT', 'LIST']));
    return [...list.matchAll(/ name=(\S*)/g)].map((m) => m[1]!).filter((name) => name.startsWith(`${base}-`)).map((name) => name.slice(base.length + 1));
  } finally {
    await admin.close();
  }
}

it(`an all-roles process holds ${EXPECTED.length} Redis connections: one for commands, one subscriber, one per blocking consumer`, async () => {
  const base = `ts-count-${randomUUID().slice(0, 8)}`;
  server = await startServer({ REDIS_URL: redisUrl, REDIS_PREFIX: prefix, EVENT_LOG: 'redis', REDIS_CLIENT_NAME: base, TICK_RATE: '50' });
  // Consumers connect while their services start; the process is up once it logged its start.
  const names = (await connectionNames(base)).sort();
  expect(names).toEqual(EXPECTED);
});
