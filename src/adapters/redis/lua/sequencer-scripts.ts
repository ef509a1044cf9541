import { luaScript } from './define.js';

/**
 * Numbers a batch of ticks. KEYS: 1 counters (hash symbol → last seq), 2 producer marks (hash
 * `source NUL symbol` → highest producer seq). ARGV: triples of symbol, source, producer seq
 * (0: none). Returns one seq per triple, 0 for a producer duplicate.
 */
export const ASSIGN_SEQS = luaScript<number[]>(
  `
local out = {}
for i = 1, #ARGV, 3 do
  local symbol, source, given = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  local fresh = true
  if given > 0 then
    local field = source .. '\\0' .. symbol
    if given <= tonumber(redis.call('HGET', KEYS[2], field) or '0') then
      fresh = false
    else
      redis.call('HSET', KEYS[2], field, ARGV[i + 2])
    end
  end
  if fresh then out[#out + 1] = redis.call('HINCRBY', KEYS[1], symbol, 1) else out[#out + 1] = 0 end
end
return out
`,
  2,
);

/** Raises counters to at least the given seqs. KEYS: 1 counters. ARGV: pairs of symbol, seq. */
export const SEED_SEQS = luaScript<number>(
  `
for i = 1, #ARGV, 2 do
  if tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0') < tonumber(ARGV[i + 1]) then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  end
end
return 1
`,
  1,
);
