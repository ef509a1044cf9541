import { createClient } from 'redis';
import { backoffDelay, type BackoffPolicy } from '../../domain/backoff.js';
import { REDIS_SCRIPTS } from './lua/scripts.js';

/** The structured-logger subset the Redis adapters use (pino's `warn(obj, msg)` fits). */
export interface RedisLogger {
  warn(obj: object, msg: string): void;
}

/** node-redis's default client, with the adapters' Lua scripts registered on it (lua/scripts.ts). */
export type RedisClient = ReturnType<typeof newClient>;

function newClient(url: string, name: string) {
  return createClient({ url, name, socket: { reconnectStrategy: reconnectDelay }, scripts: REDIS_SCRIPTS });
}

/**
 * Reconnect delays of 50–62 ms, 100–125 ms, … up to 2–2.5 s, and never give up: an outage must not
 * end the process. A fifth of each is random, so processes that lost Redis together do not
 * reconnect in lockstep.
 */
const RECONNECT: BackoffPolicy = { initialMs: 62.5, maxMs: 2_500, factor: 2, jitter: 0.2 };

export function reconnectDelay(retries: number): number {
  return backoffDelay(retries, RECONNECT);
}

export interface ClientOptions {
  /** Shown by CLIENT LIST, so an operator can tell the adapters' connections apart. */
  readonly name: string;
  readonly logger?: RedisLogger;
}

/**
 * A node-redis client that reconnects with bounded backoff. The 'error' listener is what keeps a
 * connection error from becoming an uncaught exception; node-redis retries on its own. Commands
 * issued while disconnected wait in node-redis's offline queue and run after the reconnect.
 */
/** CLIENT SETNAME refuses anything outside printable ASCII without space, and would fail the connect. */
export function connectionName(base: string | undefined, role: string): string {
  return `${base ?? 'tickstream'}-${role}`.replace(/[^\x21-\x7e]/g, '_');
}

export function createRedisClient(url: string, options: ClientOptions): RedisClient {
  const client = newClient(url, options.name);
  attachErrorListener(client, options);
  return client;
}

/** `client.duplicate()` copies options but not listeners: every duplicate needs its own. */
export function attachErrorListener(client: RedisClient, options: ClientOptions): void {
  client.on('error', (err: unknown) => {
    options.logger?.warn({ err, connection: options.name }, 'redis connection error; reconnecting');
  });
}

/**
 * PING with a deadline. While Redis is down, commands wait in the offline queue; a readiness
 * probe must get an answer instead, so this one gives up after `timeoutMs`.
 */
export async function pingWithin(client: RedisClient, timeoutMs = 2_000): Promise<void> {
  if (!client.isOpen) throw new Error('redis client is not started');
  if (!client.isReady) throw new Error('redis is not connected (reconnecting)');
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`redis did not answer PING within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([client.ping(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Closes gracefully: QUIT after the replies in flight. While Redis is unreachable those may never
 * come, so after `timeoutMs` the socket is dropped instead of holding up a shutdown.
 */
export async function closeClient(client: RedisClient, timeoutMs = 2_000): Promise<void> {
  if (!client.isOpen) return;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
  try {
    const outcome = await Promise.race([client.close().then(() => 'closed' as const), deadline]);
    if (outcome === 'late' && client.isOpen) client.destroy();
  } catch {
    if (client.isOpen) client.destroy();
  } finally {
    clearTimeout(timer);
  }
}
