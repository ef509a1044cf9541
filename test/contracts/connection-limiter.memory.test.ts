import { MemoryConnectionLimiter } from '../../src/adapters/memory/memory-connection-limiter.js';
import { connectionLimiterContract } from './connection-limiter.contract.js';

connectionLimiterContract('memory', async (settings) => {
  const limiter = new MemoryConnectionLimiter(settings);
  await limiter.start();
  return { limiter, cleanup: () => limiter.close() };
});
