import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../domain/accounts/account.js';
import type { AccountRules } from '../../domain/orders/account-rules.js';
import type { LoginThrottle } from '../../domain/accounts/login-throttle.js';
import type { ScryptParams } from '../../domain/accounts/password.js';
import type { AuthLimits } from './auth-limits.js';
import type { TokenService } from '../../domain/accounts/tokens.js';
import { TickstreamError } from '../../domain/errors.js';
import type { Metrics } from '../../observability/metrics.js';
import type { Database } from '../../ports/database.js';
import type { AlertListener } from '../../services/alerts.js';
import type { OrderCommand } from '../../domain/orders/commands.js';
import type { OrderQueue } from '../../ports/order-queue.js';
import type { PriceStore } from '../../ports/price-store.js';

/** What the account and alert routes need; present when this process serves the API. */
export interface AccountsDeps {
  readonly db: Database;
  readonly tokens: TokenService;
  readonly throttle: LoginThrottle;
  /** Login and registration budgets per address and per account. */
  readonly limits: AuthLimits;
  /** scrypt parameters for new hashes, and the floor below which a stored hash is rehashed at login. */
  readonly passwordParams: ScryptParams;
  /** Symbols alerts may name. */
  readonly symbols: readonly string[] | ReadonlySet<string>;
  readonly maxAlertsPerUser: number;
  /** The alerts role of this process, told about every change at once; a no-op without one. */
  readonly listener: AlertListener;
  readonly metrics: Metrics;
  /** Paper trading (orders, fills, portfolio), when this process has an order queue. */
  readonly trading?: TradingDeps;
}

/** What the paper-trading routes need beside accounts. */
export interface TradingDeps {
  readonly queue: OrderQueue<OrderCommand>;
  readonly store: PriceStore;
  readonly rules: AccountRules;
}

const users = new WeakMap<FastifyRequest, AuthUser>();

/**
 * `onRequest` hook of every per-user route: the user comes from the bearer token and from nowhere
 * else. It runs before the body is parsed or validated, so a request without a valid token learns
 * nothing about what its body would have done.
 */
export function requireUser(tokens: TokenService) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    reply.header('WWW-Authenticate', 'Bearer');
    if (header === undefined || header === '') throw new TickstreamError('AUTH_REQUIRED');
    const match = /^Bearer +([A-Za-z0-9._~+/=-]+)$/i.exec(header);
    const user = match ? await tokens.verify(match[1]!) : undefined;
    if (!user) throw new TickstreamError('INVALID_TOKEN');
    reply.removeHeader('WWW-Authenticate');
    users.set(request, user);
  };
}

/** The authenticated user of a request that went through `requireUser`. */
export function userOf(request: FastifyRequest): AuthUser {
  const user = users.get(request);
  if (!user) throw new Error('route is missing the requireUser hook');
  return user;
}

/** The OpenAPI security requirement of bearer-token routes. */
export const BEARER = [{ bearer: [] }];
