import type { Config, RoleName } from '../config/schema.js';
import type { SymbolUniverse } from '../domain/symbol-universe.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Traffic } from '../observability/traffic.js';
import { clientAddress } from '../servers/http/client-address.js';
import { SocketIoService } from '../servers/socketio/server.js';
import type { FastifyInstance } from 'fastify';
import type { AccountsWiring } from './accounts.js';
import { gatewayLimits } from './gateway-limits.js';
import type { Adapters } from './adapters.js';

/**
 * Socket.IO on the HTTP port, where the gateway role runs and SOCKETIO_ENABLED is true, with the
 * WebSocket gateway's limits and origin allowlist. Elsewhere `/socket.io/` is a JSON 404.
 */
export function wireSocketIo(
  config: Config,
  has: (role: RoleName) => boolean,
  deps: { app: FastifyInstance; adapters: Adapters; universe: SymbolUniverse; accounts: AccountsWiring; traffic: Traffic; metrics: Metrics; logger: Logger },
): SocketIoService | undefined {
  if (!has('gateway') || !config.socketIoEnabled) return undefined;
  const { adapters, universe } = deps;
  return new SocketIoService({
    server: deps.app.server,
    store: adapters.store,
    pubsub: adapters.pubsub,
    symbols: universe.symbols,
    onSymbolAdded: (listener) => universe.onAdded(listener),
    connectionLimiter: adapters.connectionLimiter,
    auth: deps.accounts.gatewayAuth,
    traffic: deps.traffic,
    limits: { ...gatewayLimits(config), metricsMs: config.socketIoMetricsMs },
    metrics: deps.metrics,
    logger: deps.logger,
    clientAddress: clientAddress(config.trustProxy),
  });
}
