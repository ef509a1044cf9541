import { RateLimiterMemory, RateLimiterRedis, type IRateLimiterOptions } from 'rate-limiter-flexible';
import type { Config } from '../config/schema.js';
import type { Lease, RedisConnections } from '../adapters/redis/redis-connections.js';
import type { Logger } from '../observability/logger.js';
import type { Service } from '../ports/lifecycle.js';
import { AuthLimits, type AuthLimiters } from '../servers/http/auth-limits.js';

interface Budget extends IRateLimiterOptions {
  readonly keyPrefix: string;
}

function budgets(config: Config): Record<keyof AuthLimiters, Budget> {
  return {
    loginPerAddress: { keyPrefix: 'login-ip', points: config.authLoginAttemptsPerIp, duration: config.authLoginWindowSeconds },
    loginPerAccount: { keyPrefix: 'login-user', points: config.authLoginAttemptsPerUser, duration: config.authLoginWindowSeconds },
    registerPerAddress: { keyPrefix: 'register-ip', points: config.authRegistrationsPerIp, duration: config.authRegisterWindowSeconds },
  };
}

/**
 * The auth routes' rate limits: in process memory, or in Redis when REDIS_URL is set, so every API
 * process of a deployment spends the same budgets. With Redis, each budget keeps an in-memory
 * insurance limiter that decides while Redis is unreachable (per process, same numbers), the way
 * the WebSocket connection limiter does. The limiters use the process's shared command connection.
 */
export function createAuthLimits(config: Config, logger: Logger, connections: RedisConnections | undefined): { limits: AuthLimits; service: Service | undefined } {
  const log = logger.child({ component: 'auth-limits' });
  const onStoreError = (error: unknown): void => log.warn({ err: error }, 'auth rate limiter failed; attempt let through');
  const wanted = budgets(config);
  const memory = (budget: Budget) => new RateLimiterMemory(budget);
  if (!connections) {
    const limiters = { loginPerAddress: memory(wanted.loginPerAddress), loginPerAccount: memory(wanted.loginPerAccount), registerPerAddress: memory(wanted.registerPerAddress) };
    return { limits: new AuthLimits(limiters, onStoreError), service: undefined };
  }
  const client = connections.commandClient;
  let lease: Lease | undefined;
  const redis = (budget: Budget) =>
    new RateLimiterRedis({
      ...budget,
      keyPrefix: `${config.redisPrefix}auth:${budget.keyPrefix}`,
      storeClient: client,
      useRedisPackage: true,
      // While reconnecting, commands would wait in node-redis's offline queue: decide locally instead.
      rejectIfRedisNotReady: true,
      insuranceLimiter: memory(budget),
    });
  const limiters = { loginPerAddress: redis(wanted.loginPerAddress), loginPerAccount: redis(wanted.loginPerAccount), registerPerAddress: redis(wanted.registerPerAddress) };
  return {
    limits: new AuthLimits(limiters, onStoreError),
    service: {
      name: 'auth rate limits',
      start: async () => {
        lease = await connections.leaseCommands();
      },
      stop: async () => {
        await lease?.release();
      },
    },
  };
}
