import { expect } from 'vitest';
import { RedisConnectionLimiter } from '../../src/adapters/redis/redis-connection-limiter.js';
import { deletePrefix, redisUrl, uniquePrefix } from '../support/redis.js';
import { connectionLimiterContract } from './connection-limiter.contract.js';

connectionLimiterContract('redis', async (settings) => {
  const prefix = uniquePrefix('limiter');
  const opened: RedisConnectionLimiter[] = [];
  const open = async (): Promise<RedisConnectionLimiter> => {
    const limiter = new RedisConnectionLimiter({ url: redisUrl, prefix, ...settings });
    await limiter.start();
    opened.push(limiter);
    return limiter;
  };
  const limiter = await open();
  return {
    limiter,
    reopen: open,
    cleanup: async () => {
      await limiter.close();
      await deletePrefix(prefix);
      // Every decision was Redis's: a local fallback would make the shared promises pass on one process's bucket.
      expect(opened.map((l) => l.localDecisions)).toEqual(opened.map(() => 0));
    },
  };
});
