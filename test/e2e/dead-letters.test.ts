import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { orderCommandCodec } from '../../src/adapters/order-command-codec.js';
import { RabbitOrderQueue } from '../../src/adapters/rabbitmq/rabbitmq-order-queue.js';
import { createLogger } from '../../src/observability/logger.js';
import { amqpUrl, deleteQueues, queueDepth, withChannel } from '../support/rabbitmq.js';
import { runCli } from '../support/server.js';
import { waitFor } from '../support/wait.js';

/**
 * `tickstream dead-letters`, the real CLI against the machine's RabbitMQ: dead letters made the
 * way the orders role makes them (an undecodable command, and one whose handler failed on every
 * attempt), printed with reason and attempts, and still on the queue after being read.
 */
const QUEUE = `tickstream.e2e.${randomUUID().slice(0, 8)}.dead-letters`;
const queue = new RabbitOrderQueue(orderCommandCodec, { url: amqpUrl, queue: QUEUE, retry: { maxAttempts: 2, baseDelayMs: 50 }, connectionName: `tickstream-e2e-${QUEUE}`, logger: createLogger({ level: 'silent', format: 'json' }) });

afterAll(async () => {
  await queue.close();
  await deleteQueues(queue.names.all());
});

type Letter = { id: string; reason: string; attempts: number; message: string };
const letters = (stdout: string): Letter[] => stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Letter).sort((a, b) => a.id.localeCompare(b.id));

describe('tickstream dead-letters', () => {
  it('prints each dead letter with its reason and attempts, and leaves it on the queue', async () => {
    await queue.start();
    await withChannel(async (channel) => {
      channel.sendToQueue(QUEUE, Buffer.from('not an order command'), { persistent: true, messageId: 'poison' });
      await channel.waitForConfirms();
    });
    await queue.publish({ kind: 'cancel', orderId: 9, userId: 1 }, { id: 'failing' });
    const consumer = await queue.consume(async () => {
      throw new Error('the ledger is down');
    });
    await waitFor(async () => (await queueDepth(`${QUEUE}.dead`)) === 2, 'two dead letters', 30_000, 100);
    await consumer.stop();

    const env = { AMQP_URL: amqpUrl, ORDER_QUEUE: QUEUE };
    const expected = [
      { id: 'failing', reason: 'the ledger is down', attempts: 2, message: JSON.stringify({ kind: 'cancel', orderId: 9, userId: 1 }) },
      { id: 'poison', reason: 'undecodable', attempts: 1, message: 'not an order command' },
    ];
    for (let read = 0; read < 2; read++) {
      const { code, stdout, stderr } = await runCli(['dead-letters'], env);
      expect([code, stderr]).toEqual([0, '']);
      expect(letters(stdout)).toEqual(expected);
    }
    expect(letters((await runCli(['dead-letters', '--limit', '1'], env)).stdout)).toHaveLength(1);
    expect(await queueDepth(`${QUEUE}.dead`)).toBe(2);
  });

  it('refuses to guess without AMQP_URL (exit 2), a bad --limit, and a queue that is not there (exit 1)', async () => {
    const inProcess = await runCli(['dead-letters'], { AMQP_URL: '' });
    expect(inProcess.code).toBe(2);
    expect(inProcess.stderr).toContain('AMQP_URL is not set');
    const bad = await runCli(['dead-letters', '--limit', '0'], { AMQP_URL: amqpUrl });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('expected a whole number');
    const missing = await runCli(['dead-letters'], { AMQP_URL: amqpUrl, ORDER_QUEUE: `${QUEUE}.nothing` });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`could not read ${QUEUE}.nothing.dead`);
  });
});
