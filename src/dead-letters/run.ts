import amqplib from 'amqplib';
import { readDeadLetters } from '../adapters/rabbitmq/rabbitmq-order-queue.js';
import { topology } from '../adapters/rabbitmq/topology.js';
import type { Config } from '../config/schema.js';

/** How long the broker may take to answer before the command gives up (exit 1). */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * `tickstream dead-letters`: the order commands that went to `<ORDER_QUEUE>.dead` after their last
 * retry (or undecodable), one JSON object per line — id, reason, attempts and the message as
 * published — for an operator deciding what to replay or drop. Read without acknowledging, so they
 * stay on the queue; nothing else of the topology is declared or touched. The in-process queue's
 * dead letters live in the server process, so without AMQP_URL there is nothing to read: exit 2.
 */
export async function deadLettersCommand(config: Config, limit: number, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  if (!config.amqpUrl) {
    err('tickstream: AMQP_URL is not set; the in-process order queue keeps its dead letters inside the server process.');
    return 2;
  }
  const dead = topology(config.orderQueue, { maxAttempts: config.orderMaxAttempts, baseDelayMs: config.orderRetryMs }).dead;
  let connection: amqplib.ChannelModel | undefined;
  try {
    connection = await amqplib.connect(config.amqpUrl, { timeout: CONNECT_TIMEOUT_MS, clientProperties: { connection_name: `${config.amqpConnectionName}-dead-letters` } });
    connection.on('error', () => undefined); // the failing call below reports it
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    // A missing queue is an error (the broker closes the channel), not "no dead letters".
    await channel.checkQueue(dead);
    for (const letter of await readDeadLetters(channel, dead, limit)) out(JSON.stringify({ id: letter.id ?? null, reason: letter.reason, attempts: letter.attempts, message: letter.raw }));
    return 0;
  } catch (error) {
    err(`tickstream: could not read ${dead}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}
