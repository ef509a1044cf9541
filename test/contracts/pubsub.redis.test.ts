import { RedisPubSub } from '../../src/adapters/redis/redis-pubsub.js';
import type { Codec } from '../../src/adapters/codec.js';
import { redisUrl, uniquePrefix } from '../support/redis.js';
import { pubSubContract, type Message } from './pubsub.contract.js';

const messageCodec: Codec<Message> = {
  encode: (m) => JSON.stringify(m),
  decode(raw) {
    try {
      const value = JSON.parse(raw.toString()) as { n?: unknown };
      return typeof value.n === 'number' ? { n: value.n } : undefined;
    } catch {
      return undefined;
    }
  },
};

// Pub/sub keeps nothing in the keyspace: a private channel prefix is all the isolation needed.
pubSubContract('redis', async () => {
  const pubsub = new RedisPubSub<Message>({ url: redisUrl, prefix: uniquePrefix('pubsub'), codec: messageCodec });
  await pubsub.start();
  return { pubsub, cleanup: () => pubsub.close() };
});
