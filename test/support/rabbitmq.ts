import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import amqplib from 'amqplib';

/** The shared RabbitMQ of the machine (or AMQP_URL); tests use queue names of their own and delete them. */
export const amqpUrl = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** Runs `fn` on a short-lived confirm channel of a connection of the test's own. */
export async function withChannel<T>(fn: (channel: amqplib.ConfirmChannel) => Promise<T>): Promise<T> {
  const connection = await amqplib.connect(amqpUrl);
  connection.on('error', () => undefined);
  try {
    const channel = await connection.createConfirmChannel();
    channel.on('error', () => undefined);
    return await fn(channel);
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** Messages ready on a queue (not those delivered and awaiting their ack). */
export async function queueDepth(name: string): Promise<number> {
  return withChannel(async (channel) => (await channel.checkQueue(name)).messageCount);
}

export async function deleteQueues(names: readonly string[]): Promise<void> {
  await withChannel(async (channel) => {
    for (const name of names) await channel.deleteQueue(name);
  });
}

const execFileAsync = promisify(execFile);

/**
 * Closes the broker's connections whose client-provided name is `name` (AMQP_CONNECTION_NAME) —
 * only those, never other users' of the shared broker — as an operator or a failing network
 * would. Resolves with how many it closed.
 */
export async function closeConnectionsNamed(name: string, reason = 'test: simulated broker-side close'): Promise<number> {
  const { stdout } = await execFileAsync('rabbitmqctl', ['list_connections', '--no-table-headers', '--silent', 'pid', 'client_properties']);
  const pids = stdout
    .split('\n')
    .filter((line) => line.includes(`"${name}"`))
    .map((line) => line.split('\t')[0]!)
    .filter((pid) => pid.startsWith('<'));
  for (const pid of pids) await execFileAsync('rabbitmqctl', ['close_connection', pid, reason]);
  return pids.length;
}
