import { MemoryOrderQueue } from '../../src/adapters/memory/memory-order-queue.js';
import { jobCodec, orderQueueContract, POLICY, type Job } from './order-queue.contract.js';

orderQueueContract('memory', async () => {
  const queue = new MemoryOrderQueue<Job>(jobCodec, POLICY);
  await queue.start();
  return { queue, publishRaw: async (raw, id) => queue.publishRaw(raw, id), cleanup: () => queue.close() };
});
