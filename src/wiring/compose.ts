import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { basePrices, effectiveRoles } from '../config/load.js';
import type { Config, RoleName } from '../config/schema.js';
import { DEFAULT_UNIVERSE, Market } from '../domain/price-model.js';
import { seededRandom } from '../domain/random.js';
import type { Logger } from '../observability/logger.js';
import { createMetrics, type Metrics } from '../observability/metrics.js';
import { Traffic } from '../observability/traffic.js';
import type { Adapter, Service } from '../ports/lifecycle.js';
import { indicatorChannel, type PubSub } from '../ports/pubsub.js';
import type { IndicatorPoint } from '../domain/analytics/symbol-analytics.js';
import { groupBy } from '../adapters/group-by.js';
import { readBuildInfo } from '../observability/build-info.js';
import { buildHttpApp } from '../servers/http/app.js';
import { IngestKeys } from '../servers/http/ingest-keys.js';
import { GatewayService } from '../servers/ws/gateway.js';
import { GeneratorService } from '../services/generator.js';
import { AnalyticsService } from '../services/analytics.js';
import { ProcessorService } from '../services/processor.js';
import { wireAccounts } from './accounts.js';
import { wireOrders } from './orders.js';
import { checkRoles, createAdapters, indicatorSpec, storeKind, type Adapters } from './adapters.js';
import { instrumentTickPipeline } from '../observability/tracing/instrument-adapters.js';
import { tracingState } from '../observability/tracing/state.js';
import { wireIngest } from './ingest.js';
import { clientAddress } from '../servers/http/client-address.js';
import { wireGrpc } from './grpc.js';
import { wireSocketIo } from './socketio.js';
import { ConsumerLagMonitor } from '../observability/consumer-lag.js';
import { countAppends } from '../observability/counted-appends.js';
import { readiness } from '../observability/readiness.js';
import { adapterService } from './adapter-service.js';
import { gatewayLimits } from './gateway-limits.js';

/** Roles that read the tick log in a consumer group named after the role. */
const CONSUMER_GROUPS = ['processor', 'alerts', 'analytics', 'orders'] as const satisfies readonly RoleName[];

export interface Composition {
  readonly roles: RoleName[];
  readonly adapters: Adapters;
  readonly metrics: Metrics;
  readonly http: FastifyInstance | undefined;
  readonly seed: number;
  /** Starts adapters, then roles, in dependency order. */
  start(): Promise<void>;
  /** Stops in reverse order: intake first, then clients (1001), then draining, then engines. */
  stop(): Promise<void>;
  /** The listening address, once started (`PORT=0` picks one). */
  address(): AddressInfo | undefined;
}

/** Turns configuration into a running process: adapters, roles and the HTTP/WebSocket server. */
export async function compose(config: Config, logger: Logger, version: string): Promise<Composition> {
  const roles = effectiveRoles(config);
  checkRoles(config, roles);
  const has = (r: RoleName): boolean => roles.includes(r);
  const metrics = createMetrics({ roles, build: readBuildInfo() });
  const adapters = createAdapters(config, logger);
  if (has('generator') || has('ingestor') || has('api')) countAppends(adapters.eventLog, metrics);
  if (tracingState.on) instrumentTickPipeline(adapters, { log: config.eventLog, topic: config.ticksTopic, pubsub: storeKind(config) });
  const seed = config.seed !== undefined ? Number(config.seed) : Math.floor(Math.random() * 2 ** 31);
  const roleLogger = (role: string): Logger => logger.child({ role });

  const services: Service[] = [];
  const started: Service[] = [];
  services.push(adapterService('event log', adapters.eventLog), adapterService('price store', adapters.store), adapterService('pub/sub', adapters.pubsub));
  if (has('gateway')) services.push(adapterService('connection limiter', adapters.connectionLimiter));
  if (has('gateway') || has('analytics')) services.push(adapterService('indicator pub/sub', adapters.indicators));

  if (has('processor')) {
    // Log positions only matter to Socket.IO's `stock-tick` (SOCKETIO_ENABLED, the same setting in every process of a deployment).
    services.push(new ProcessorService({ ...adapters, log: adapters.eventLog, maxBatch: config.processorMaxBatch, logPositions: config.socketIoEnabled, metrics, logger: roleLogger('processor') }));
  }
  if (has('analytics')) {
    services.push(
      new AnalyticsService({
        log: adapters.eventLog,
        store: adapters.store,
        spec: indicatorSpec(config),
        candleLimit: config.candleLimit,
        maxBatch: config.processorMaxBatch,
        moversEveryMs: config.analyticsMoversMs,
        metrics,
        logger: roleLogger('analytics'),
        onPoints: (points) => publishIndicatorPoints(adapters.indicators, points, roleLogger('analytics')),
      }),
    );
  }
  // Database, user-event pub/sub and the alerts role (see wiring/accounts.ts).
  // The symbol universe, the ingestor role and the intake the ingest API shares (see wiring/ingest.ts).
  const ingest = wireIngest(config, has, adapters, metrics, logger);
  services.push(...ingest.services.filter((s) => s.name !== 'ingestor'));
  const accounts = wireAccounts(config, has, adapters, metrics, logger, ingest.universe.symbols);
  services.push(...accounts.services);
  // Paper trading: the order queue and the orders role (see wiring/orders.ts).
  const orders = wireOrders(config, has, adapters, accounts.database, metrics, logger);
  services.push(...orders.services);
  // Lag of the consumer groups this process's roles read in (their default group names).
  const groups = CONSUMER_GROUPS.filter((role) => has(role));
  if (groups.length > 0) services.push(new ConsumerLagMonitor({ log: adapters.eventLog, groups, metrics, logger: roleLogger('metrics') }));

  // Every process listens, whatever its roles: /health, /ready and /metrics are how it is operated.
  let phase: 'starting' | 'running' | 'stopping' = 'starting';
  const lifecycle: Adapter = {
    start: async () => undefined,
    close: async () => undefined,
    ping: async () => {
      if (phase !== 'running') throw new Error(phase);
    },
  };
  const traffic = new Traffic(metrics, has('gateway'));
  const ready = { process: lifecycle, ...readinessChecks(has, adapters, accounts.database), ...(orders.queue ? { orderQueue: orders.queue } : {}), ...ingest.readiness };
  // tickstream_ready and tickstream_ready_check{check} say at each scrape what /ready would.
  metrics.readinessProbe.check = () => readiness(ready);
  const app = await buildHttpApp({
    logger,
    metrics,
    version,
    corsOrigins: config.corsOrigins,
    edge: {
      requestTimeoutMs: config.httpRequestTimeoutMs,
      headersTimeoutMs: config.httpHeadersTimeoutMs,
      keepAliveTimeoutMs: config.httpKeepAliveTimeoutMs,
      maxConnectionsPerIp: config.httpMaxConnectionsPerIp,
      trustedProxies: config.trustProxy,
    },
    traffic,
    market: has('api') ? { store: adapters.store, symbols: ingest.universe.symbols, maxLimit: config.apiMaxLimit, indicators: indicatorSpec(config) } : undefined,
    adapters: ready,
    accounts: accounts.http && orders.trading ? { ...accounts.http, trading: orders.trading } : accounts.http,
    ingest: has('api') ? { keys: new IngestKeys(config.ingestApiKeys), intake: ingest.intake, maxBatch: config.ingestMaxBatch } : undefined,
    testTicks: config.testTickInjection && has('api') ? { log: adapters.eventLog, symbols: config.symbols } : undefined,
  });
  services.push({
    name: 'http',
    start: async () => {
      await app.listen({ host: config.host, port: config.port });
    },
    stop: () => app.close(),
  });
  const socketIo = wireSocketIo(config, has, { app, adapters, universe: ingest.universe, accounts, traffic, metrics, logger: roleLogger('socket.io') });
  if (has('gateway')) {
    services.push(
      new GatewayService({
        server: app.server,
        store: adapters.store,
        pubsub: adapters.pubsub,
        indicators: { pubsub: adapters.indicators, spec: indicatorSpec(config), maxStreams: config.wsMaxIndicators, maxSnapshot: config.analyticsHistoryLimit },
        connectionLimiter: adapters.connectionLimiter,
        auth: accounts.gatewayAuth,
        symbols: ingest.universe.symbols,
        onSymbolAdded: (listener) => ingest.universe.onAdded(listener),
        metrics,
        logger: roleLogger('gateway'),
        upgradedElsewhere: socketIo ? (req, socket, head, pathname) => socketIo.upgrade(req, socket, head, pathname) : undefined,
        clientAddress: clientAddress(config.trustProxy),
        limits: gatewayLimits(config),
      }),
    );
  }

  if (socketIo) services.push(socketIo);

  const grpc = wireGrpc(config, has, { adapters, universe: ingest.universe, accounts, readiness: ready, metrics, logger: roleLogger('grpc') });
  if (grpc) services.push(grpc);

  // Sources start last, like the generator: everything downstream is ready for their ticks.
  services.push(...ingest.services.filter((s) => s.name === 'ingestor'));
  if (has('generator')) {
    const prices = basePrices(config, DEFAULT_UNIVERSE);
    const market = new Market(
      config.symbols.map((symbol) => ({ symbol, basePrice: prices.get(symbol)!, drift: config.drift, volatility: config.volatility })),
      seededRandom(seed),
      { speed: config.marketSpeed, source: 'sim' },
    );
    services.push(new GeneratorService({ market, log: adapters.eventLog, store: adapters.store, ticksPerSecond: config.tickRate, maxTicks: config.maxTicks, metrics, logger: roleLogger('generator') }));
  }
  // Last, so stopped first: the roles stopping after it do not wait for a database still opening.
  if (accounts.databaseWaits) services.push(accounts.databaseWaits);

  return {
    roles,
    adapters,
    metrics,
    http: app,
    seed,
    async start() {
      for (const service of services) {
        await service.start();
        started.push(service);
      }
      phase = 'running';
    },
    async stop() {
      phase = 'stopping';
      while (started.length > 0) {
        const service = started.pop()!;
        try {
          await service.stop();
        } catch (error) {
          logger.error({ err: error, service: service.name }, 'stopping a service failed');
        }
      }
    },
    address() {
      const address = app.server.address();
      return address && typeof address === 'object' ? address : undefined;
    },
  };
}

/** What /ready checks: the engines this process's roles use, and nothing they do not. */
function readinessChecks(has: (role: RoleName) => boolean, adapters: Adapters, database: Adapter | undefined): Record<string, Adapter> {
  const checks: Record<string, Adapter> = {};
  if (has('generator') || has('ingestor') || has('processor') || has('alerts')) checks.eventLog = adapters.eventLog;
  if (has('generator') || has('ingestor') || has('processor') || has('gateway') || has('api') || has('alerts')) checks.store = adapters.store;
  if (has('processor') || has('gateway')) checks.pubsub = adapters.pubsub;
  if (has('gateway') || has('alerts')) checks.userEvents = adapters.userEvents;
  if (database) checks.database = database;
  return checks;
}

/**
 * One message per symbol on `indicators.<SYMBOL>`, after the points are stored. Pub/sub is
 * at-most-once: a failed publish is logged, not retried (the next update of each candle carries
 * its values as they are), and never holds back the role's consumption.
 */
async function publishIndicatorPoints(pubsub: PubSub<readonly IndicatorPoint[]>, points: readonly IndicatorPoint[], logger: Logger): Promise<void> {
  const messages = [...groupBy(points, (p) => p.symbol)].map(([symbol, message]) => ({ channel: indicatorChannel(symbol), message }));
  await pubsub.publishMany(messages).catch((err: unknown) => logger.warn({ err }, 'publishing indicator updates failed'));
}

