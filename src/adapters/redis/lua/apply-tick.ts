import { luaScript } from './lua-script.js';

/** Fields of a candle member in the candle sorted sets, joined by `|` (the score is the bucket start). */
export const CANDLE_MEMBER_FIELDS = ['time', 'open', 'high', 'low', 'close', 'volume', 'trades', 'openTs', 'openSeq', 'closeTs', 'closeSeq'] as const;

/**
 * One tick, applied atomically with compare-and-set on `seq`: the Lua twin of MemoryPriceStore's
 * applyTicks step, with addToCandles (src/domain/candles.ts) and addToDailyStats
 * (src/domain/daily-stats.ts) transcribed line by line. Keep the three in step.
 *
 * KEYS: 1 latest (string: tick JSON), 2 history (zset: seq → tick JSON), 3 day stats (hash),
 *       4 symbol registry (set), 5..8 candles of each CANDLE_INTERVAL_NAMES entry (zset: bucket start → member)
 * ARGV: 1 symbol, 2 seq, 3 price, 4 size, 5 ts, 6 tick JSON, 7 historyLimit, 8 candleLimit,
 *       9 ttl seconds, 10 UTC day start, 11..14 bucket start per interval (computed in TypeScript
 *       with the domain's own bucketStart/utcDayStart, so there is one definition of both)
 * Returns 1 accepted, 0 duplicate (equal seq), -1 stale (lower seq).
 *
 * Numbers: Lua numbers are IEEE doubles like JavaScript's, so sums come out bit-identical as long
 * as nothing is lost in text form. Lua's own number-to-text (%.14g, also used when a number is
 * passed to redis.call) can drop digits, so every number written goes through fmt(), which keeps
 * the shortest of %.15g/%.17g that reads back as the same double.
 */
export const APPLY_TICK = luaScript(
  `
local function fmt(x)
  local s = string.format('%.15g', x)
  if tonumber(s) ~= x then s = string.format('%.17g', x) end
  return s
end

local seq = tonumber(ARGV[2])
local current = redis.call('GET', KEYS[1])
if current then
  local currentSeq = cjson.decode(current).seq
  if seq == currentSeq then return 0 end
  if seq < currentSeq then return -1 end
end

local symbol, json = ARGV[1], ARGV[6]
local price, size, ts = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local historyLimit, candleLimit, ttl = tonumber(ARGV[7]), tonumber(ARGV[8]), ARGV[9]

redis.call('SET', KEYS[1], json, 'EX', ttl)

redis.call('ZADD', KEYS[2], ARGV[2], json)
redis.call('ZREMRANGEBYRANK', KEYS[2], '0', fmt(-historyLimit - 1))
redis.call('EXPIRE', KEYS[2], ttl)

-- Candles: { time, open, high, low, close, volume, trades, openTs, openSeq, closeTs, closeSeq }
local function decodeCandle(member)
  local c, i = {}, 1
  for part in string.gmatch(member, '[^|]+') do
    c[i] = tonumber(part)
    i = i + 1
  end
  return c
end

local function encodeCandle(c)
  local parts = {}
  for i = 1, 11 do parts[i] = fmt(c[i]) end
  return table.concat(parts, '|')
end

local function newCandle(time)
  return { time, price, price, price, price, size, 1, ts, seq, ts, seq }
end

local function isBefore(aTs, aSeq, bTs, bSeq)
  return aTs < bTs or (aTs == bTs and aSeq < bSeq)
end

-- Open and close belong to the earliest and latest tick by (ts, seq), whatever the arrival order.
local function mergeInto(c)
  if price > c[3] then c[3] = price end
  if price < c[4] then c[4] = price end
  c[6] = c[6] + size
  c[7] = c[7] + 1
  if isBefore(ts, seq, c[8], c[9]) then
    c[2] = price; c[8] = ts; c[9] = seq
  end
  if not isBefore(ts, seq, c[10], c[11]) then
    c[5] = price; c[10] = ts; c[11] = seq
  end
end

local function addToCandles(key, time)
  local timeText = fmt(time)
  local newest = redis.call('ZRANGE', key, '-1', '-1', 'WITHSCORES')
  if #newest == 0 or time > tonumber(newest[2]) then
    redis.call('ZADD', key, timeText, encodeCandle(newCandle(time)))
  else
    -- Out of order by source time: the bucket may exist already.
    local found = redis.call('ZRANGE', key, timeText, timeText, 'BYSCORE')
    if #found > 0 then
      local c = decodeCandle(found[1])
      mergeInto(c)
      redis.call('ZREM', key, found[1])
      redis.call('ZADD', key, timeText, encodeCandle(c))
    elseif redis.call('ZCOUNT', key, '-inf', '(' .. timeText) == 0 and redis.call('ZCARD', key) >= candleLimit then
      -- Older than every kept candle of a full series: its bucket was evicted, the tick is ignored.
      return
    else
      redis.call('ZADD', key, timeText, encodeCandle(newCandle(time)))
    end
  end
  -- Inserted between kept candles: the oldest one goes, never the new one.
  redis.call('ZREMRANGEBYRANK', key, '0', fmt(-candleLimit - 1))
  redis.call('EXPIRE', key, ttl)
end

for i = 1, 4 do
  addToCandles(KEYS[4 + i], tonumber(ARGV[10 + i]))
end

-- Day statistics: a tick of a later UTC day starts a new session; an earlier day's tick, being
-- newer by seq, still counts toward the current one.
local day = tonumber(ARGV[10])
local s = redis.call('HMGET', KEYS[3], 'day', 'high', 'low', 'volume', 'notional', 'trades')
if not s[1] or day > tonumber(s[1]) then
  redis.call('HSET', KEYS[3], 'day', fmt(day), 'open', fmt(price), 'high', fmt(price), 'low', fmt(price),
    'last', fmt(price), 'volume', fmt(size), 'notional', fmt(price * size), 'trades', '1')
else
  local high, low = tonumber(s[2]), tonumber(s[3])
  if price > high then high = price end
  if price < low then low = price end
  redis.call('HSET', KEYS[3], 'high', fmt(high), 'low', fmt(low), 'last', fmt(price),
    'volume', fmt(tonumber(s[4]) + size), 'notional', fmt(tonumber(s[5]) + price * size),
    'trades', fmt(tonumber(s[6]) + 1))
end
redis.call('EXPIRE', KEYS[3], ttl)

redis.call('SADD', KEYS[4], symbol)
redis.call('EXPIRE', KEYS[4], ttl)
return 1
`,
  8,
);
