import { luaScript } from './define.js';

/**
 * Writes what a processor computed from one symbol's ticks of a batch, if the symbol is still in
 * the state that computation started from; otherwise writes nothing and answers "conflict".
 *
 * The computation (compare-and-set on `seq`, candles, day stats) runs in the processor, with the
 * domain's own functions, on a cached copy of the symbol's state (see symbol-run.ts). Redis only
 * checks and stores: formatting numbers and folding ticks in Lua cost Redis about 10 µs a tick,
 * and Redis is the one part every processor shares, so that work belongs where it scales out.
 *
 * The check is the latest `seq`: every accepted tick raises it, so an unchanged `seq` means no
 * other writer changed the symbol since the processor read it (or last wrote it). The check and
 * the writes are one script run, so they are atomic.
 *
 * KEYS: 1 latest (string: tick JSON), 2 history (zset: seq → tick JSON), 3 day stats (hash),
 *       4 symbol registry (set), 5..8 candles of each CANDLE_INTERVAL_NAMES entry (zset: bucket start → member)
 * ARGV: 1 expected latest seq ('' when the symbol has none), 2 symbol, 3 new latest JSON ('' when
 *       nothing was accepted: then only the check runs), 4 ttl seconds, 5 historyLimit, 6 candleLimit,
 *       7 H, then H pairs (seq, tick JSON) for history;
 *       then per candle series: grew ('1' when a bucket was added), U, then U triples
 *       (member it replaces or '', bucket start, member);
 *       then the day-stats hash as field/value pairs up to the end.
 * Returns 1 written (or checked), 0 conflict.
 */
export const WRITE_SYMBOL_RUN = luaScript<number>(
  `
local current = redis.call('GET', KEYS[1])
if current then
  if ARGV[1] == '' or cjson.decode(current).seq ~= tonumber(ARGV[1]) then return 0 end
elseif ARGV[1] ~= '' then
  return 0
end
if ARGV[3] == '' then return 1 end

-- ZADD/HSET in chunks: unpack() of a long range would overflow Lua's C stack.
local CHUNK = 2000
local function many(command, key, from, to)
  for i = from, to, CHUNK do
    redis.call(command, key, unpack(ARGV, i, math.min(i + CHUNK - 1, to)))
  end
end

local ttl = ARGV[4]
redis.call('SET', KEYS[1], ARGV[3], 'EX', ttl)

local at = 8
local history = tonumber(ARGV[7]) * 2
many('ZADD', KEYS[2], at, at + history - 1)
at = at + history
redis.call('ZREMRANGEBYRANK', KEYS[2], '0', tostring(-tonumber(ARGV[5]) - 1))
redis.call('EXPIRE', KEYS[2], ttl)

for s = 1, 4 do
  local key = KEYS[4 + s]
  local grew, count = ARGV[at], tonumber(ARGV[at + 1])
  at = at + 2
  for _ = 1, count do
    if ARGV[at] ~= '' then redis.call('ZREM', key, ARGV[at]) end
    redis.call('ZADD', key, ARGV[at + 1], ARGV[at + 2])
    at = at + 3
  end
  -- Keep the newest candleLimit candles: the oldest go, never a newer one.
  if grew == '1' then redis.call('ZREMRANGEBYRANK', key, '0', tostring(-tonumber(ARGV[6]) - 1)) end
  redis.call('EXPIRE', key, ttl)
end

many('HSET', KEYS[3], at, #ARGV)
redis.call('EXPIRE', KEYS[3], ttl)
redis.call('SADD', KEYS[4], ARGV[2])
redis.call('EXPIRE', KEYS[4], ttl)
return 1
`,
  8,
);
