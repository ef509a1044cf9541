import { RedisPriceStore } from '../../src/adapters/redis/redis-price-store.js';
import { deletePrefix, redisUrl, uniquePrefix } from '../support/redis.js';
import { priceStoreContract } from './price-store.contract.js';

priceStoreContract('redis', async (limits) => {
  const prefix = uniquePrefix('store');
  const store = new RedisPriceStore({ url: redisUrl, prefix, ...limits });
  await store.start();
  return {
    store,
    cleanup: async () => {
      await store.close();
      await deletePrefix(prefix);
    },
  };
});
