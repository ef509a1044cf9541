import { RabbitOrderQueue } from '../../src/adapters/rabbitmq/rabbitmq-order-queue.js';
import { createLogger } from '../../src/observability/logger.js';
import { amqpUrl, deleteQueues, withChannel } from '../support/rabbitmq.js';
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
