import { defineScript, type CommandParser, type RedisArgument } from 'redis';

/**
 * A Lua script for node-redis's `scripts` option (see scripts.ts): the client sends EVALSHA and
 * falls back to EVAL when Redis lost its script cache (restart, failover, SCRIPT FLUSH); inside a
 * MULTI the first call of a script is an EVAL, so a transaction never meets NOSCRIPT.
 *
 * Every script is called as `(keys, args)`. `numberOfKeys` is fixed for most; -1 means as many as
 * the caller passes (one lease key per partition), sent as the count before the keys.
 */
export function luaScript<Reply>(source: string, numberOfKeys: number) {
  return defineScript({
    SCRIPT: source,
    ...(numberOfKeys >= 0 ? { NUMBER_OF_KEYS: numberOfKeys } : {}),
    parseCommand(parser: CommandParser, keys: readonly RedisArgument[], args: readonly RedisArgument[]) {
      if (numberOfKeys < 0) {
        parser.pushKeysLength([...keys]);
      } else {
        if (keys.length !== numberOfKeys) throw new Error(`script expects ${numberOfKeys} keys, got ${keys.length}`);
        for (const key of keys) parser.pushKey(key);
      }
      parser.push(...args);
    },
    transformReply: (reply: unknown) => reply as Reply,
  });
}
