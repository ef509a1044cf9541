import { MemoryPubSub } from '../../src/adapters/memory/memory-pubsub.js';
import { pubSubContract, type Message } from './pubsub.contract.js';

pubSubContract('memory', async () => {
  const pubsub = new MemoryPubSub<Message>();
  await pubsub.start();
  return { pubsub, cleanup: () => pubsub.close() };
});
