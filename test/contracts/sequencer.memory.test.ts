import { MemorySequencer } from '../../src/adapters/memory/memory-sequencer.js';
import { sequencerContract } from './sequencer.contract.js';

sequencerContract('memory', async () => {
  const sequencer = new MemorySequencer();
  await sequencer.start();
  return { sequencer, cleanup: () => sequencer.close() };
});
