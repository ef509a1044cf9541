import type { FastifyInstance } from 'fastify';
import { MemoryEventLog } from '../../src/adapters/memory/memory-event-log.js';
import { MemoryPriceStore } from '../../src/adapters/memory/memory-price-store.js';
import { IN_MEMORY, pgliteEngine } from '../../src/adapters/postgres/engines.js';
import { SqlDatabase } from '../../src/adapters/postgres/sql-database.js';
import { DEFAULT_THROTTLE, LoginThrottle, type ThrottleOptions } from '../../src/domain/accounts/login-throttle.js';
import { TokenService } from '../../src/domain/accounts/tokens.js';
import type { ScryptParams } from '../../src/domain/accounts/password.js';
import { AuthLimits } from '../../src/servers/http/auth-limits.js';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { AlertRule } from '../../src/domain/alerts/alert.js';
import type { Tick } from '../../src/domain/tick.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { buildHttpApp } from '../../src/servers/http/app.js';

export const APP_SYMBOLS = ['AAPL', 'MSFT'];
export const APP_SECRET = 'accounts-app-test-secret-0123456789';

export interface AccountsApp {
  readonly app: FastifyInstance;
  readonly db: SqlDatabase;
  readonly tokens: TokenService;
  /** What the routes told the alerts role, in order. */
  readonly changes: { changed: AlertRule[]; deleted: number[] };
  /** Registers a user and returns its id and token. */
  register(username: string, password?: string): Promise<{ id: number; token: string }>;
  close(): Promise<void>;
}

/**
 * The real HTTP app (`inject()`, no socket) with the accounts and alert routes on an in-memory
 * PGlite: the same code the CLI runs, minus the network and the other roles.
 */
/** Budgets for the auth rate limits; generous by default, so suites can register many users. */
export interface AppLimits {
  readonly loginPerAddress?: number;
  readonly loginPerAccount?: number;
  readonly registerPerAddress?: number;
}

const GENEROUS = 100_000;

export async function accountsApp(options: { maxAlertsPerUser?: number; throttle?: Partial<ThrottleOptions>; limits?: AppLimits; passwordParams?: ScryptParams } = {}): Promise<AccountsApp> {
  const db = new SqlDatabase(pgliteEngine(IN_MEMORY));
  await db.start();
  const metrics = createMetrics({ defaultMetrics: false });
  const tokens = new TokenService(APP_SECRET, 3600);
  const changes = { changed: [] as AlertRule[], deleted: [] as number[] };
  const store = new MemoryPriceStore({ historyLimit: 100, candleLimit: 100 });
  const app = await buildHttpApp({
    logger: createLogger({ level: 'silent', format: 'json' }),
    metrics,
    version: 'test',
    market: { store, symbols: APP_SYMBOLS, maxLimit: 100 },
    adapters: { store, database: db },
    accounts: {
      db,
      tokens,
      throttle: new LoginThrottle({ ...DEFAULT_THROTTLE, ...options.throttle }),
      limits: new AuthLimits({
        loginPerAddress: new RateLimiterMemory({ points: options.limits?.loginPerAddress ?? GENEROUS, duration: 900 }),
        loginPerAccount: new RateLimiterMemory({ points: options.limits?.loginPerAccount ?? GENEROUS, duration: 900 }),
        registerPerAddress: new RateLimiterMemory({ points: options.limits?.registerPerAddress ?? GENEROUS, duration: 3600 }),
      }),
      // Cheaper than production's 2^17, so suites that register many users stay quick; the format carries the cost.
      passwordParams: options.passwordParams ?? { ln: 14, r: 8, p: 1 },
      symbols: APP_SYMBOLS,
      maxAlertsPerUser: options.maxAlertsPerUser ?? 50,
      listener: { changed: (r) => void changes.changed.push(r), deleted: (id) => void changes.deleted.push(id) },
      metrics,
    },
    testTicks: { log: new MemoryEventLog<Tick>({ partitions: 1, retention: 1000 }), symbols: APP_SYMBOLS },
  });
  await app.ready();
  return {
    app,
    db,
    tokens,
    changes,
    async register(username, password = 'password-123') {
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { username, password } });
      if (res.statusCode !== 201) throw new Error(`register ${username}: ${res.statusCode} ${res.body}`);
      const body = res.json<{ user: { id: number }; token: string }>();
      return { id: body.user.id, token: body.token };
    },
    async close() {
      await app.close();
      await db.close();
    },
  };
}

