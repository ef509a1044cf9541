import { RedisStreamsEventLog } from '../../src/adapters/redis/redis-streams-event-log.js';
import { deletePrefix, redisUrl, uniquePrefix } from '../support/redis.js';
import { eventLogContract, itemCodec, type Item } from './event-log.contract.js';


// Short block and takeover times keep the redelivery tests quick; they are the knobs an operator
// would tune, not behaviour. Per-key order across members holds (partitions are leased to one
// member at a time), so no capability is turned off.
eventLogContract('redis streams', async ({ partitions, retention }) => {
  const prefix = uniquePrefix('log');
  const log = new RedisStreamsEventLog<Item>({ url: redisUrl, prefix, stream: 'items', partitions, retention, codec: itemCodec, blockMs: 100, claimIdleMs: 500, retryBackoffMs: 20 });
  await log.start();
  return {
    log,
    cleanup: async () => {
      await log.close();
      await deletePrefix(prefix);
    },
  };
});
