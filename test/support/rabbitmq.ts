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

export async function deleteQueues(names: readonly string[]): Promise<void> {
  await withChannel(async (channel) => {
    for (const name of names) await channel.deleteQueue(name);
  });
}
