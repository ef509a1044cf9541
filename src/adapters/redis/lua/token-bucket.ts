import { luaScript } from './define.js';

/**
 * Takes one token from a shared token bucket (the same arithmetic as src/domain/token-bucket.ts),
 * timed by the Redis server's clock so every gateway agrees on it.
 * KEYS: 1 bucket (hash: tokens, last). ARGV: 1 rate per second, 2 burst. Returns 1 allowed, 0 refused.
 */
export const TAKE_TOKEN = luaScript<number>(
  `
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'last')
local tokens, last = tonumber(state[1]), tonumber(state[2])
if tokens == nil or last == nil then
  tokens, last = burst, now
end
-- max(0, ...): a clock that stepped back (failover to another host) must not drain the bucket.
tokens = math.min(burst, tokens + math.max(0, now - last) / 1000 * rate)
local allowed = tokens >= 1
if allowed then tokens = tokens - 1 end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'last', string.format('%.17g', now))
-- A bucket that has refilled is the same as no bucket: let the key go then.
redis.call('PEXPIRE', KEYS[1], string.format('%d', math.ceil((burst - tokens) / rate * 1000) + 1000))
if allowed then return 1 end
return 0
`,
  1,
);
