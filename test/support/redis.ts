import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createClient, type RedisClientType } from 'redis';

/** The Redis the tests use: REDIS_URL, or the local default. */
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix (and channel prefix) private to one test, so tests sharing a Redis never meet. */
export function uniquePrefix(label = 'test'): string {
  return `test:${label}:${randomUUID()}:`;
}

/** A connected client for checks and for acting on Redis behind an adapter's back; close it after. */
export async function adminClient(): Promise<RedisClientType> {
  const client: RedisClientType = createClient({ url: redisUrl });
  client.on('error', () => {});
  await client.connect();
  return client;
}

const escapeGlob = (text: string): string => text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

/** Every key under the prefix (SCAN, never KEYS, so a shared Redis is not blocked). */
export async function keysUnder(client: RedisClientType, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const batch of client.scanIterator({ MATCH: `${escapeGlob(prefix)}*`, COUNT: 500 })) keys.push(...batch);
  return keys;
}

/** Removes everything a test wrote under its prefix. */
export async function deletePrefix(prefix: string): Promise<void> {
  const client = await adminClient();
  try {
    const keys = await keysUnder(client, prefix);
    for (let i = 0; i < keys.length; i += 500) await client.unlink(keys.slice(i, i + 500));
  } finally {
    await client.close();
  }
}

/**
 * For a test file or describe block on Redis: an admin client open for its duration, and
 * cleanups that run newest first after each test. Call at the top level of the block.
 */
export function redisTestContext(): { admin: RedisClientType; readonly cleanups: (() => Promise<void> | void)[] } {
  const context = { admin: undefined as unknown as RedisClientType, cleanups: [] as (() => Promise<void> | void)[] };
  beforeAll(async () => {
    context.admin = await adminClient();
  });
  afterAll(async () => {
    await context.admin.close();
  });
  afterEach(async () => {
    for (const cleanup of context.cleanups.splice(0).reverse()) await cleanup();
  });
  return context;
}
