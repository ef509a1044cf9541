import { MemoryPriceStore } from '../../src/adapters/memory/memory-price-store.js';
import { priceStoreContract } from './price-store.contract.js';

priceStoreContract('memory', async (limits) => {
  const store = new MemoryPriceStore(limits);
  await store.start();
  return { store, cleanup: () => store.close() };
});
