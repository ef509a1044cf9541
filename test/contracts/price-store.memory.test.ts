import { describe, expect, it } from 'vitest';
import { MemoryPriceStore } from '../../src/adapters/memory/memory-price-store.js';
import { priceStoreContract } from './price-store.contract.js';

priceStoreContract('memory', async (limits) => {
  const store = new MemoryPriceStore(limits);
  await store.start();
  return { store, cleanup: () => store.close() };
});

describe('MemoryPriceStore stream epoch', () => {
  it('is new for every store: an in-process store is a new sequence space each process', async () => {
    const limits = { historyLimit: 10, candleLimit: 10 };
    expect(await new MemoryPriceStore(limits).epoch()).not.toBe(await new MemoryPriceStore(limits).epoch());
  });
});
