import { ASSIGN_SEQS, SEED_SEQS } from './sequencer-scripts.js';
import { PARTITION_LEASES, RELEASE_LEASES } from './stream-leases.js';
import { LEAVE_GROUP } from './stream-scripts.js';
import { TAKE_TOKEN } from './token-bucket.js';
import { WRITE_SYMBOL_RUN } from './write-symbol-run.js';

/** Every Lua script of the Redis adapters, registered on each client (`client.assignSeqs(keys, args)`). */
export const REDIS_SCRIPTS = {
  assignSeqs: ASSIGN_SEQS,
  seedSeqs: SEED_SEQS,
  partitionLeases: PARTITION_LEASES,
  releaseLeases: RELEASE_LEASES,
  leaveGroup: LEAVE_GROUP,
  takeToken: TAKE_TOKEN,
  writeSymbolRun: WRITE_SYMBOL_RUN,
};
