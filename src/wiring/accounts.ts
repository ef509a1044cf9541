import { randomBytes } from 'node:crypto';
import type { Config, RoleName } from '../config/schema.js';
import { LoginThrottle } from '../domain/accounts/login-throttle.js';
import { DEFAULT_SCRYPT } from '../domain/accounts/password.js';
import { createAuthLimits } from './auth-limits.js';
import type { RedisConnections } from '../adapters/redis/redis-connections.js';
import { TokenService } from '../domain/accounts/tokens.js';
import type { UserEvent } from '../domain/accounts/user-events.js';
import type { Tick } from '../domain/tick.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Database } from '../ports/database.js';
import type { EventLog } from '../ports/event-log.js';
import type { Service } from '../ports/lifecycle.js';
import type { PriceStore } from '../ports/price-store.js';
import type { PubSub } from '../ports/pubsub.js';
import type { AccountsDeps } from '../servers/http/auth.js';
import type { GatewayAuth } from '../servers/ws/access.js';
import { AlertsService, type AlertListener } from '../services/alerts.js';
import { BackgroundDatabase } from '../adapters/postgres/background.js';
import { createDatabase } from '../adapters/postgres/create.js';
import { IN_MEMORY } from '../adapters/postgres/engines.js';
import { adapterService } from './adapter-service.js';

export interface AccountsWiring {
  readonly database: Database | undefined;
  /** For buildHttpApp, when this process serves the API. */
  readonly http: AccountsDeps | undefined;
  readonly gatewayAuth: GatewayAuth;
  /** Adapters and the alerts role, in start order. */
  readonly services: Service[];
  /**
   * To start after every role (so it stops before them): at shutdown, calls still waiting for the
   * database to open fail at once, so no role's draining waits for an open that may take seconds.
   */
  readonly databaseWaits: Service | undefined;
}

interface Engines {
  readonly eventLog: EventLog<Tick>;
  readonly store: PriceStore;
  readonly userEvents: PubSub<UserEvent>;
  /** Shared Redis connections (REDIS_URL set): the auth limits use them. */
  readonly redis: RedisConnections | undefined;
}

/** How long a request waits for a database that is still opening before answering 503 NOT_READY. */
const DATABASE_WAIT_MS = 60_000;

const noListener: AlertListener = { changed: () => undefined, deleted: () => undefined };

/**
 * Accounts, alerts and per-user events: the database (for `api` and `alerts`), the token service
 * (every role that checks tokens), the alerts role, and what the HTTP app and the gateway need.
 */
export function wireAccounts(config: Config, has: (role: RoleName) => boolean, engines: Engines, metrics: Metrics, logger: Logger, symbols: readonly string[] | ReadonlySet<string> = config.symbols): AccountsWiring {
  const log = logger.child({ component: 'accounts' });
  let secret = config.jwtSecret;
  if (secret === undefined && (has('api') || has('gateway'))) {
    secret = randomBytes(32).toString('base64url');
    log.warn('JWT_SECRET is not set: using a random secret made at start, so tokens will not survive a restart and other processes cannot verify them');
  }
  const tokens = new TokenService(secret ?? randomBytes(32).toString('base64url'), config.jwtTtlSeconds);
  const services: Service[] = [];
  if (has('gateway') || has('alerts') || has('orders')) services.push(adapterService('user events', engines.userEvents));

  let database: Database | undefined;
  let databaseWaits: Service | undefined;
  let opened: Promise<void> | undefined;
  if (has('api') || has('alerts') || has('orders')) {
    const sql = createDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      poolSize: config.databasePoolSize,
      onError: (error) => log.error({ err: error }, 'idle database connection failed'),
    });
    // Opened in the background (in memory: on first use): prices stream at once, accounts follow.
    const db = new BackgroundDatabase(sql, {
      waitMs: DATABASE_WAIT_MS,
      disposable: !config.databaseUrl && config.dataDir === IN_MEMORY,
      onReady: (inner) => log.info({ engine: inner.engine, dataDir: inner.engine === 'pglite' ? config.dataDir : undefined, migrationsApplied: inner.appliedAtStart }, 'database ready'),
      onRetry: (error, delayMs) => log.warn({ err: error, retryInMs: delayMs }, 'database not available yet'),
      onLost: (error, delayMs) => log.error({ err: error, reopenInMs: delayMs }, 'database stopped; reopening it'),
    });
    database = db;
    databaseWaits = { name: 'database waits', start: async () => undefined, stop: async () => db.stopWaiting() };
    if (!config.databaseUrl && config.dataDir === IN_MEMORY) opened = db.opened;
    services.push(adapterService('database', db));
  }

  // Login and registration budgets (Redis-backed when REDIS_URL is set), where the API is served.
  const authLimits = has('api') && database ? createAuthLimits(config, logger, engines.redis) : undefined;
  if (authLimits?.service) services.push(authLimits.service);

  let listener = noListener;
  if (has('alerts') && database) {
    const alerts = new AlertsService({
      log: engines.eventLog,
      db: database,
      store: engines.store,
      userEvents: engines.userEvents,
      refreshMs: config.alertsRefreshMs,
      userFireRate: config.alertsUserFireRate,
      userFireBurst: config.alertsUserFireBurst,
      deferLoad: opened,
      maxBatch: config.processorMaxBatch,
      metrics,
      logger: logger.child({ role: 'alerts' }),
    });
    listener = alerts;
    services.push(alerts);
  }

  if (!config.databaseUrl && has('api') !== has('alerts')) {
    log.warn('api and alerts run in different processes on embedded databases (no DATABASE_URL): alerts created here are never evaluated there; set DATABASE_URL to share one PostgreSQL');
  }
  if (config.testTickInjection && has('api')) {
    log.warn('TEST_TICK_INJECTION=true: POST /api/v1/test/ticks appends any tick to the log. This is for tests only; never enable it in production');
  }

  return {
    database,
    http: has('api') && database
      ? { db: database, tokens, throttle: new LoginThrottle(), limits: authLimits!.limits, passwordParams: { ...DEFAULT_SCRYPT, ln: config.passwordScryptCost }, symbols, maxAlertsPerUser: config.alertsMaxPerUser, listener, metrics }
      : undefined,
    gatewayAuth: { tokens, required: config.wsRequireAuth, timeoutMs: config.wsAuthTimeoutMs, userEvents: engines.userEvents },
    services,
    databaseWaits,
  };
}

