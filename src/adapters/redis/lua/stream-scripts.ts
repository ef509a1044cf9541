import { luaScript } from './define.js';

/**
 * Removes a member from its group only if it holds no pending entries: XGROUP DELCONSUMER drops
 * the pending entries of the consumer it deletes, which would lose them for the whole group.
 * KEYS: 1 stream. ARGV: 1 group, 2 member. Returns 1 if removed, 0 if it still holds entries.
 */
export const LEAVE_GROUP = luaScript<number>(
  `
local pending = redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', '1', ARGV[2])
if #pending > 0 then return 0 end
redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
return 1
`,
  1,
);
