import { join } from 'node:path';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { Traffic } from '../../observability/traffic.js';
import type { Adapter } from '../../ports/lifecycle.js';
import type { PriceStore } from '../../ports/price-store.js';
import type { EventLog } from '../../ports/event-log.js';
import type { Tick } from '../../domain/tick.js';
import { DEFAULT_INDICATOR_SPEC, type IndicatorSpec } from '../../domain/analytics/catalogue.js';
import type { AccountsDeps } from './auth.js';
import { frameworkErrorHandler, installErrorHandling } from './errors.js';
import { clientErrorHandler } from './client-errors.js';
import { capConnectionsPerAddress } from './connection-cap.js';
import { guardSockets } from './socket-guard.js';
import { alertRoutes } from './routes/alerts.js';
import { orderRoutes } from './routes/orders.js';
import { authRoutes } from './routes/auth.js';
import { legacyAlertRoutes } from './routes/legacy-alerts.js';
import { testTickRoutes } from './routes/test-ticks.js';
import { ingestRoutes, type IngestRouteOptions } from './routes/ingest.js';
import { DEFAULT_WEB_ROOT, homeRoutes } from './routes/home.js';
import { registerSecurityHeaders } from './security-headers.js';
import { registerCompression } from './compression.js';
import { indicatorRoutes } from './routes/indicators.js';
import { marketRoutes } from './routes/market.js';
import { opsRoutes } from './routes/ops.js';
import { useStrictValidation } from './strict-validation.js';
import { installRequestTelemetry, requestId } from './request-telemetry.js';
import { seedRoutes } from './routes/seed.js';
import { installHttpTracing } from '../../observability/tracing/http-spans.js';
import { tracingState } from '../../observability/tracing/state.js';

export interface HttpAppDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Present when this process serves the REST API; without it only ops routes are mounted. */
  readonly market?: { readonly store: PriceStore; readonly symbols: readonly string[] | ReadonlySet<string>; readonly maxLimit: number; readonly indicators?: IndicatorSpec };
  /** Everything `/ready` checks. */
  readonly adapters: Readonly<Record<string, Adapter>>;
  readonly version: string;
  /** Origins allowed to call the REST API from a browser (`*` for any). Default `*`. */
  readonly corsOrigins?: readonly string[];
  /** The JSON figures of `/health` and `/metrics`; one is made from `metrics` when absent. */
  readonly traffic?: Traffic;
  /** Accounts and alerts (/api/v1/auth, /me, /alerts, and the gostocks /alerts). */
  readonly accounts?: AccountsDeps;
  /** TEST_TICK_INJECTION only: where `POST /api/v1/test/ticks` appends. */
  readonly testTicks?: { readonly log: EventLog<Tick>; readonly symbols: readonly string[] };
  /** `POST /api/v1/ticks` (api role): answers INGEST_NOT_ENABLED while no ingest keys are configured. */
  readonly ingest?: IngestRouteOptions;
  /** Folder of the built dashboard; web/dist when absent. */
  readonly webRoot?: string;
  /** Timeouts and the per-address connection cap; Node's defaults when absent (tests with inject()). */
  readonly edge?: HttpEdgeOptions;
}

export interface HttpEdgeOptions {
  /** Longest wait for a whole request, headers and body (HTTP_REQUEST_TIMEOUT_MS). */
  readonly requestTimeoutMs: number;
  /** Longest wait for a request's headers (HTTP_HEADERS_TIMEOUT_MS); at most requestTimeoutMs. */
  readonly headersTimeoutMs: number;
  /** How long an idle keep-alive connection stays open (HTTP_KEEPALIVE_TIMEOUT_MS). */
  readonly keepAliveTimeoutMs: number;
  /** Open HTTP connections per client address (HTTP_MAX_CONNECTIONS_PER_IP); 0: no cap. */
  readonly maxConnectionsPerIp: number;
  /** Reverse proxies whose X-Forwarded-For `request.ip` believes (TRUST_PROXY); empty: none. */
  readonly trustedProxies?: readonly string[];
}

/**
 * Node checks header and request deadlines on a timer, not per connection: a quarter of the
 * deadline keeps the overshoot small without scanning the connection list too often.
 */
function checkingInterval(edge: HttpEdgeOptions): number {
  return Math.max(100, Math.min(5_000, Math.floor(Math.min(edge.headersTimeoutMs, edge.requestTimeoutMs) / 4)));
}

function serverOptions(edge: HttpEdgeOptions | undefined) {
  if (!edge) return {};
  const headersTimeout = Math.min(edge.headersTimeoutMs, edge.requestTimeoutMs);
  return {
    requestTimeout: edge.requestTimeoutMs,
    keepAliveTimeout: edge.keepAliveTimeoutMs,
    // The same rule as client-address.ts, so REST and the socket servers see one address per client.
    trustProxy: edge.trustedProxies && edge.trustedProxies.length > 0 ? [...edge.trustedProxies] : false,
    http: { requestTimeout: edge.requestTimeoutMs, headersTimeout, keepAliveTimeout: edge.keepAliveTimeoutMs, connectionsCheckingInterval: checkingInterval(edge) },
  };
}

/** Builds the HTTP app without listening, so tests can `inject()` requests with no socket. */
export async function buildHttpApp(deps: HttpAppDeps): Promise<FastifyInstance> {
  const httpLogger = deps.logger.child({ component: 'http' }) as FastifyBaseLogger;
  const app = Fastify({
    ...serverOptions(deps.edge),
    loggerInstance: httpLogger,
    // One line per request goes out from request-telemetry.ts instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'reqId' }),
    genReqId: requestId,
    bodyLimit: 64 * 1024,
    clientErrorHandler: clientErrorHandler(httpLogger),
    frameworkErrors: frameworkErrorHandler,
  });
  // Before any other `connection` listener: the cap gates Node's own (see connection-cap.ts).
  capConnectionsPerAddress(app.server, {
    maxPerAddress: deps.edge?.maxConnectionsPerIp ?? 0,
    onRefused: () => deps.metrics.httpConnectionsRefused.inc(),
  });
  guardSockets(app.server, deps.logger.child({ component: 'http' }));
  if (tracingState.on) installHttpTracing(app);
  installRequestTelemetry(app, deps.metrics);
  installErrorHandling(app);
  // Before any route: every route, in every plugin, is validated by TypeBox (strict-validation.ts).
  useStrictValidation(app);
  await registerSecurityHeaders(app, join(deps.webRoot ?? DEFAULT_WEB_ROOT, 'index.html'));
  await registerCompression(app);
  const origins = deps.corsOrigins ?? ['*'];
  // Bearer tokens, never cookies: no credentials mode, so `*` is safe for every route.
  await app.register(cors, {
    origin: origins.includes('*') ? '*' : [...origins],
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Content-Type', 'Authorization', 'Idempotency-Key', 'Accept'],
    exposedHeaders: ['Retry-After', 'Location', 'Content-Length'],
    maxAge: 600,
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'tickstream',
        version: deps.version,
        description: 'Real-time market data: quotes, history, candles and movers. Live ticks stream over WebSocket at `/ws` (see the README for protocol v1).',
      },
      tags: [
        { name: 'market', description: 'Quotes, ticks, candles, movers (/api/v1)' },
        { name: 'compat', description: 'Routes kept with the shapes of the systems tickstream replaces' },
        { name: 'ops', description: 'Health, readiness, metrics' },
        { name: 'accounts', description: 'Register, log in, bearer tokens (/api/v1)' },
        { name: 'alerts', description: 'Your price alerts (/api/v1, bearer token)' },
        { name: 'ingest', description: 'Ticks from your programs (/api/v1, ingest key)' },
        { name: 'trading', description: 'Paper trading: orders, fills, portfolio (/api/v1, bearer token)' },
      ],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, ingestKey: { type: 'http', scheme: 'bearer', description: 'The secret of an INGEST_API_KEYS entry.' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(opsRoutes, { metrics: deps.metrics, adapters: deps.adapters, traffic: deps.traffic ?? new Traffic(deps.metrics, false) });
  if (deps.market) {
    await app.register(seedRoutes, deps.market);
    await app.register(marketRoutes, { ...deps.market, prefix: '/api/v1' });
    await app.register(indicatorRoutes, { ...deps.market, spec: deps.market.indicators ?? DEFAULT_INDICATOR_SPEC, prefix: '/api/v1' });
  }
  if (deps.accounts) {
    await app.register(authRoutes, { ...deps.accounts, prefix: '/api/v1' });
    await app.register(alertRoutes, { ...deps.accounts, prefix: '/api/v1' });
    if (deps.accounts.trading) await app.register(orderRoutes, { ...deps.accounts, trading: deps.accounts.trading, prefix: '/api/v1' });
    await app.register(legacyAlertRoutes, deps.accounts);
  }
  if (deps.ingest) await app.register(ingestRoutes, { ...deps.ingest, prefix: '/api/v1' });
  if (deps.testTicks) await app.register(testTickRoutes, { ...deps.testTicks, prefix: '/api/v1' });
  await app.register(homeRoutes, { webRoot: deps.webRoot });
  return app;
}
