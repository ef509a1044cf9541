import { createHash } from 'node:crypto';
import { ErrorReply, type RedisArgument } from 'redis';
import type { RedisClient } from '../connection.js';

/** A Lua script run with EVALSHA; its SHA1 is computed once, here, as Redis computes it. */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
  /** How many KEYS the script takes; -1 for a variable number (as many as the caller passes). */
  readonly numberOfKeys: number;
}

export function luaScript(source: string, numberOfKeys: number): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex'), numberOfKeys };
}

export function isNoScript(err: unknown): boolean {
  return err instanceof ErrorReply && err.message.startsWith('NOSCRIPT');
}

/** The EVALSHA command line, for pipelines and transactions. */
export function evalShaArgs(script: LuaScript, keys: readonly string[], args: readonly RedisArgument[]): RedisArgument[] {
  if (script.numberOfKeys >= 0 && keys.length !== script.numberOfKeys) throw new Error(`script expects ${script.numberOfKeys} keys, got ${keys.length}`);
  return ['EVALSHA', script.sha, String(keys.length), ...keys, ...args];
}

/**
 * EVALSHA, falling back to EVAL (which also caches the script) when Redis lost its script cache
 * (restart, failover, SCRIPT FLUSH). For single calls only: see RedisPriceStore for batches.
 */
export async function runScript(client: RedisClient, script: LuaScript, keys: readonly string[], args: readonly RedisArgument[]): Promise<unknown> {
  const command = evalShaArgs(script, keys, args);
  try {
    return await client.sendCommand(command);
  } catch (err) {
    if (!isNoScript(err)) throw err;
    command[0] = 'EVAL';
    command[1] = script.source;
    return client.sendCommand(command);
  }
}

/** Loads the script into Redis's cache, checking that Redis hashes it as we did. */
export async function loadScript(client: RedisClient, script: LuaScript): Promise<void> {
  const sha = await client.scriptLoad(script.source);
  if (sha !== script.sha) throw new Error(`SCRIPT LOAD returned ${sha}, expected ${script.sha}`);
}
