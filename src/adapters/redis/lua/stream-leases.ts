import { luaScript } from './define.js';

/**
 * One membership heartbeat of a consumer-group member, and the partition ownership that follows
 * from it, in one atomic step on the server's clock.
 *
 * Members register in a sorted set scored by when they expire (now + lease); expired ones are
 * dropped. Partition p is assigned to the (p mod M)-th member in name order, the same answer for
 * every member that sees the same set. A partition is read only by the holder of its lease key
 * (SET NX PX): the member renews the leases it holds, takes free ones assigned to it, and, when
 * `release` is 1 (the member has no batch in flight), hands back the ones assigned to others.
 * A crashed member stops renewing: after `lease` ms its partitions are free and its registration
 * gone, so the others share its partitions out.
 *
 * KEYS: 1 members zset, 2.. lease key of partition 0, 1, …
 * ARGV: 1 member, 2 lease ms, 3 release (1 or 0)
 * Returns { owned partitions, partitions held but assigned to someone else }.
 */
export const PARTITION_LEASES = luaScript<readonly [owned: unknown[], surplus: unknown[]]>(
  `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local me, lease, release = ARGV[1], tonumber(ARGV[2]), ARGV[3] == '1'
local leaseText = string.format('%d', lease)

redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now))
redis.call('ZADD', KEYS[1], string.format('%d', now + lease), me)
redis.call('PEXPIRE', KEYS[1], string.format('%d', lease * 10))
local members = redis.call('ZRANGE', KEYS[1], '0', '-1')
table.sort(members)
local index = 0
for i, m in ipairs(members) do
  if m == me then index = i - 1 end
end

local owned, surplus = {}, {}
for p = 0, #KEYS - 2 do
  local key = KEYS[p + 2]
  local holder = redis.call('GET', key)
  local assigned = p % #members == index
  if holder == me then
    if assigned or not release then
      redis.call('PEXPIRE', key, leaseText)
      owned[#owned + 1] = p
      if not assigned then surplus[#surplus + 1] = p end
    else
      redis.call('DEL', key)
    end
  elseif not holder and assigned then
    redis.call('SET', key, me, 'PX', leaseText)
    owned[#owned + 1] = p
  end
end
return { owned, surplus }
`,
  // Variable: one lease key per partition. Callers pass numberOfKeys explicitly.
  -1,
);

/**
 * Leaving the group for good: hands back every lease this member holds and deregisters it, so
 * the others take its partitions at their next heartbeat instead of after the lease runs out.
 * KEYS: 1 members zset, 2.. lease keys. ARGV: 1 member.
 */
export const RELEASE_LEASES = luaScript<number>(
  `
for i = 2, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) end
end
redis.call('ZREM', KEYS[1], ARGV[1])
return 1
`,
  -1,
);
