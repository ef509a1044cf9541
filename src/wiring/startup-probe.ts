import { createClient } from 'redis';
import { KafkaUnavailableError } from '../adapters/kafka/kafka-event-log.js';

/**
 * A dependency this process cannot start without did not answer in time. The CLI exits with code
 * 2 and this message, which names the setting to check and never its secret parts.
 */
class StartupError extends Error {
  override readonly name = 'StartupError';
}

/** Failures that mean "fix the configuration or the engine", not "a bug": exit code 2. */
export function isStartupFailure(error: unknown): error is Error {
  return error instanceof StartupError || error instanceof KafkaUnavailableError;
}

/** `redis://host:port`: enough to find the server, nothing of the credentials or the database. */
function redisAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}:${u.port || '6379'}`;
  } catch {
    return 'an unreadable URL';
  }
}

/**
 * Connects to Redis and waits for a PING's answer within `timeoutMs`, once, without retrying.
 * The adapters' own clients reconnect forever (an outage must not end a running process), so at
 * start a Redis that refuses connections, or accepts them and never answers, would hold the
 * process with no HTTP port and, in the silent case, no log line. This makes both a bounded failure.
 */
export async function probeRedis(url: string, timeoutMs: number): Promise<void> {
  const client = createClient({ url, socket: { connectTimeout: timeoutMs, reconnectStrategy: false } });
  let lastError: unknown;
  client.on('error', (error: unknown) => (lastError = error));
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
  const where = `Redis at ${redisAddress(url)} (REDIS_URL)`;
  try {
    const answered = client.connect().then(() => client.ping());
    // Past the deadline nobody awaits it any more; its rejection must not go unhandled.
    answered.catch(() => undefined);
    const outcome = await Promise.race([answered, deadline]);
    if (outcome === 'late') {
      const why = lastError instanceof Error ? `: ${lastError.message}` : ' (connected, or connecting, but no answer)';
      throw new StartupError(`${where} did not answer within ${timeoutMs} ms (STARTUP_TIMEOUT_MS)${why}`);
    }
  } catch (error) {
    if (error instanceof StartupError) throw error;
    const cause = (error as { code?: string; message?: string }) ?? {};
    throw new StartupError(`${where} is not reachable: ${cause.code ?? cause.message ?? String(error)}`, { cause: error });
  } finally {
    clearTimeout(timer);
    // The deadline may have left connect() pending: destroy whatever socket there is.
    try {
      if (client.isOpen) client.destroy();
    } catch {
      // Already closed.
    }
  }
}
