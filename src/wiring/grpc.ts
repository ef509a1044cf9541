import type { Config, RoleName } from '../config/schema.js';
import type { SymbolUniverse } from '../domain/symbol-universe.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Adapter, Service } from '../ports/lifecycle.js';
import type { GrpcService } from '../servers/grpc/server.js';
import type { AccountsWiring } from './accounts.js';
import type { Adapters } from './adapters.js';

/** Share of SHUTDOWN_TIMEOUT_MS gRPC calls get to finish: the other roles stop in the same budget. */
const SHUTDOWN_SHARE = 0.25;
const MAX_SHUTDOWN_GRACE_MS = 2_000;

/**
 * The gRPC server, when GRPC_PORT is set and this process serves clients (gateway or api role):
 * the gateway's limits and slow-consumer rules, the API's accounts, the same readiness as `/ready`.
 */
export function wireGrpc(
  config: Config,
  has: (role: RoleName) => boolean,
  deps: { adapters: Adapters; universe: SymbolUniverse; accounts: AccountsWiring; readiness: Readonly<Record<string, Adapter>>; metrics: Metrics; logger: Logger },
): Service | undefined {
  if (config.grpcPort === 0 || !(has('gateway') || has('api'))) return undefined;
  const { adapters, universe, accounts } = deps;
  const options: ConstructorParameters<typeof GrpcService>[0] = {
    host: config.host,
    port: config.grpcPort,
    store: adapters.store,
    pubsub: adapters.pubsub,
    symbols: universe.symbols,
    onSymbolAdded: (listener) => universe.onAdded(listener),
    // Started only where the gateway runs; elsewhere streams are not rate limited per address.
    connectionLimiter: has('gateway') ? adapters.connectionLimiter : undefined,
    gatewayAuth: accounts.gatewayAuth,
    accounts: accounts.http,
    // Started by wiring/accounts.ts for these roles only.
    userEvents: has('gateway') || has('alerts') || has('orders') ? adapters.userEvents : undefined,
    readiness: deps.readiness,
    maxLimit: config.apiMaxLimit,
    limits: {
      maxStreams: config.wsMaxConnections,
      maxStreamsPerIp: config.wsMaxConnectionsPerIp,
      maxSymbols: config.wsMaxSymbols,
      slowBytes: config.wsSlowBytes,
      slowCloseMs: config.wsSlowCloseMs,
      maxMessageBytes: config.wsMaxFrameBytes,
      keepaliveMs: config.wsHeartbeatMs,
      shutdownGraceMs: Math.min(MAX_SHUTDOWN_GRACE_MS, Math.round(config.shutdownTimeoutMs * SHUTDOWN_SHARE)),
    },
    metrics: deps.metrics,
    logger: deps.logger,
  };
  // @grpc/grpc-js, the proto loader and its parsed files (~25 MB resident) load only where gRPC is on.
  let server: GrpcService | undefined;
  return {
    name: 'grpc',
    async start() {
      const { GrpcService } = await import('../servers/grpc/server.js');
      server = new GrpcService(options);
      await server.start();
    },
    stop: async () => server?.stop(),
  };
}
