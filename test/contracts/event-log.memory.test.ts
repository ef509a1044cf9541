import { MemoryEventLog } from '../../src/adapters/memory/memory-event-log.js';
import { eventLogContract, type Item } from './event-log.contract.js';

eventLogContract('memory', async ({ partitions, retention }) => {
  const log = new MemoryEventLog<Item>({ partitions, retention, retryBackoffMs: 10 });
  await log.start();
  return { log, cleanup: () => log.close() };
});
