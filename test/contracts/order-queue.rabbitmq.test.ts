import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RabbitOrderQueue } from '../../src/adapters/rabbitmq/rabbitmq-order-queue.js';
import { createLogger } from '../../src/observability/logger.js';
import { amqpUrl, deleteQueues, queueDepth, withChannel } from '../support/rabbitmq.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { jobCodec, orderQueueContract, POLICY, type Job } from './order-queue.contract.js';

orderQueueContract('rabbitmq', async (name) => {
  const queue = new RabbitOrderQueue<Job>(jobCodec, { url: amqpUrl, queue: name, retry: POLICY, connectionName: `tickstream-test-${name}`, logger: createLogger({ level: 'silent', format: 'json' }) });
  await queue.start();
  return {
    queue,
    publishRaw: (raw, id) =>
      withChannel(async (channel) => {
        channel.sendToQueue(name, Buffer.from(raw), { persistent: true, messageId: id });
        await channel.waitForConfirms();
      }),
    cleanup: async () => {
      await queue.close();
      await deleteQueues(queue.names.all());
    },
  };
});

describe('RabbitOrderQueue: publish resolves on the broker’s confirm, not on the write', () => {
  it('with the broker unreachable a publish stays pending; once it is back it resolves and the message is on the queue', async () => {
    const name = `contract.orders.${randomUUID().slice(0, 8)}`;
    const target = new URL(amqpUrl);
    // The queue talks to RabbitMQ through a proxy of the test's own, which can hold every byte back.
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5672) });
    const url = new URL(amqpUrl);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    const queue = new RabbitOrderQueue<Job>(jobCodec, { url: url.toString(), queue: name, retry: POLICY, connectionName: `tickstream-test-${name}`, logger: createLogger({ level: 'silent', format: 'json' }) });
    try {
      await queue.start();
      await queue.publish({ n: 1 }, { id: 'before' });
      proxy.pause();
      let settled = false;
      const pending = queue.publish({ n: 2 }, { id: 'held' }).finally(() => (settled = true));
      // Written to the socket at once; the confirm cannot come while the proxy holds the bytes.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(settled).toBe(false);
      proxy.resume();
      await pending;
      expect(await queueDepth(name)).toBe(2);
    } finally {
      proxy.resume();
      await queue.close();
      await proxy.close();
      await deleteQueues(queue.names.all());
    }
  });
});
