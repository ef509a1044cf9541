import { RedisSequencer } from '../../src/adapters/redis/redis-sequencer.js';
import { deletePrefix, redisUrl, uniquePrefix } from '../support/redis.js';
import { sequencerContract } from './sequencer.contract.js';

sequencerContract('redis', async () => {
  const prefix = uniquePrefix('seq');
  const open = async (): Promise<RedisSequencer> => {
    const sequencer = new RedisSequencer({ url: redisUrl, prefix });
    await sequencer.start();
    return sequencer;
  };
  const sequencer = await open();
  return {
    sequencer,
    reopen: open,
    cleanup: async () => {
      await sequencer.close();
      await deletePrefix(prefix);
    },
  };
});
