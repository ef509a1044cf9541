import type { Config } from '../config/schema.js';
import type { GatewayLimits } from '../servers/ws/gateway.js';

/** The WS_* limits, as the WebSocket gateway and Socket.IO (on its own count) both apply them. */
export function gatewayLimits(config: Config): GatewayLimits {
  return {
    maxConnections: config.wsMaxConnections,
    maxConnectionsPerIp: config.wsMaxConnectionsPerIp,
    allowedOrigins: config.wsAllowedOrigins,
    maxFrameBytes: config.wsMaxFrameBytes,
    maxSymbols: config.wsMaxSymbols,
    messageRate: config.wsMessageRate,
    messageBurst: config.wsMessageBurst,
    addressMessageRate: config.wsAddressMessageRate,
    addressMessageBurst: config.wsAddressMessageBurst,
    heartbeatMs: config.wsHeartbeatMs,
    slowBytes: config.wsSlowBytes,
    slowCloseMs: config.wsSlowCloseMs,
    flushMs: config.batchFlushMs,
  };
}
