import { Server, ServerCredentials } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import type { Tick } from '../../domain/tick.js';
import type { UserEvent } from '../../domain/accounts/user-events.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import type { ConnectionLimiter } from '../../ports/connection-limiter.js';
import type { Adapter, Service } from '../../ports/lifecycle.js';
import type { PriceStore } from '../../ports/price-store.js';
import type { PubSub } from '../../ports/pubsub.js';
import { symbolSet } from '../../domain/symbol-universe.js';
import type { AccountsDeps } from '../http/auth.js';
import type { GatewayAuth } from '../ws/access.js';
import { AlertEventStreams } from './alert-events.js';
import { alertMethods } from './alerts.js';
import { GrpcHealth } from './health.js';
import { marketDataMethods } from './market-data.js';
import { loadProtos } from './proto.js';
import { TickStreams, type TickStreamLimits } from './tick-streams.js';

export interface GrpcLimits extends TickStreamLimits {
  /** Largest request message: WS_MAX_FRAME_BYTES. */
  readonly maxMessageBytes: number;
  /** HTTP/2 pings to find dead peers: WS_HEARTBEAT_MS. */
  readonly keepaliveMs: number;
  /** Longest wait for calls to finish at shutdown before the rest are cut. */
  readonly shutdownGraceMs: number;
}

export interface GrpcDeps {
  readonly host: string;
  readonly port: number;
  readonly store: PriceStore;
  readonly pubsub: PubSub<Tick>;
  readonly symbols: readonly string[] | ReadonlySet<string>;
  readonly onSymbolAdded?: (listener: (symbol: string) => void) => void;
  readonly connectionLimiter?: ConnectionLimiter;
  /** Token checks of the gateway (and WS_REQUIRE_AUTH for streams). */
  readonly gatewayAuth?: GatewayAuth;
  /** The REST alert routes' dependencies: with them the Alerts service is served. */
  readonly accounts?: AccountsDeps;
  /** Started `user.<id>` pub/sub, for StreamAlertEvents. */
  readonly userEvents?: PubSub<UserEvent>;
  /** What `/ready` checks: health checking reports the same. */
  readonly readiness: Readonly<Record<string, Adapter>>;
  readonly maxLimit: number;
  readonly limits: GrpcLimits;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

/** Alert events a stream may leave unread before it is ended (they are never dropped). */
const MAX_QUEUED_ALERT_EVENTS = 1_000;

/**
 * The gRPC server on GRPC_PORT: tickstream.v1.MarketData, tickstream.v1.Alerts (with accounts),
 * grpc.health.v1.Health and server reflection (v1 and v1alpha, for grpcurl). Stopping reports
 * NOT_SERVING, ends every stream with UNAVAILABLE, lets unary calls finish for a short grace,
 * then cuts what is left.
 */
export class GrpcService implements Service {
  readonly name = 'grpc';
  private server: Server | undefined;
  private readonly ticks: TickStreams;
  private readonly alertEvents: AlertEventStreams | undefined;
  private readonly health: GrpcHealth;
  private boundPort: number | undefined;
  private readonly universe: ReadonlySet<string>;

  constructor(private readonly deps: GrpcDeps) {
    const universe = symbolSet(deps.symbols);
    this.universe = universe;
    this.ticks = new TickStreams({
      store: deps.store,
      pubsub: deps.pubsub,
      universe,
      onSymbolAdded: deps.onSymbolAdded,
      connectionLimiter: deps.connectionLimiter,
      auth: deps.gatewayAuth,
      limits: deps.limits,
      metrics: deps.metrics,
      logger: deps.logger,
    });
    this.alertEvents = deps.accounts
      ? new AlertEventStreams({ tokens: deps.accounts.tokens, userEvents: deps.userEvents, maxQueued: MAX_QUEUED_ALERT_EVENTS, metrics: deps.metrics, logger: deps.logger })
      : undefined;
    const services = ['tickstream.v1.MarketData', ...(deps.accounts ? ['tickstream.v1.Alerts'] : [])];
    this.health = new GrpcHealth(services, deps.readiness, deps.logger);
  }

  /** The port it listens on, once started. */
  get port(): number | undefined {
    return this.boundPort;
  }

  async start(): Promise<void> {
    const { deps } = this;
    const protos = loadProtos();
    const server = new Server({
      'grpc.max_receive_message_length': deps.limits.maxMessageBytes,
      'grpc.keepalive_time_ms': deps.limits.keepaliveMs,
      'grpc.keepalive_timeout_ms': Math.min(20_000, deps.limits.keepaliveMs),
    });
    const universe = this.universe;
    server.addService(protos.marketData, {
      ...marketDataMethods({ store: deps.store, universe, maxLimit: deps.maxLimit, metrics: deps.metrics, logger: deps.logger }),
      StreamTicks: this.ticks.handler,
    });
    if (deps.accounts && this.alertEvents) {
      server.addService(protos.alerts, { ...alertMethods(deps.accounts, universe, deps.logger), StreamAlertEvents: this.alertEvents.handler });
    }
    this.health.addToServer(server);
    new ReflectionService(protos.definition).addToServer(server);
    await this.ticks.start();
    await this.health.start();
    const host = deps.host.includes(':') ? `[${deps.host}]` : deps.host;
    this.boundPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${host}:${deps.port}`, ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
    );
    this.server = server;
    deps.logger.info({ port: this.boundPort, services: ['tickstream.v1.MarketData', ...(deps.accounts ? ['tickstream.v1.Alerts'] : []), 'grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection'] }, 'gRPC listening');
  }

  async stop(): Promise<void> {
    this.health.stop();
    this.ticks.stop();
    this.alertEvents?.stop();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const graceful = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.deps.limits.shutdownGraceMs)));
    if ((await Promise.race([graceful, timeout])) === 'timeout') {
      this.deps.logger.warn({ graceMs: this.deps.limits.shutdownGraceMs }, 'gRPC calls still open at shutdown: cutting them');
      server.forceShutdown();
    }
    clearTimeout(timer);
  }
}
