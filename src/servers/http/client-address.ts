import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';

/** The address a request (or WebSocket upgrade, or Socket.IO handshake) counts against. */
export type ClientAddress = (req: IncomingMessage) => string;

const peer = (req: IncomingMessage): string => req.socket.remoteAddress ?? 'unknown';

/**
 * Behind reverse proxies every connection arrives from the proxy, so per-address limits would treat
 * all clients as one. With the proxies' addresses in TRUST_PROXY, the client's address is read from
 * X-Forwarded-For, right to left until the first hop that is not a trusted proxy — the rule Fastify
 * applies to `request.ip` with the same list, so REST, WebSocket and Socket.IO limits agree. A client
 * cannot forge its way past a limit: a header from an untrusted peer is not read at all.
 */
export function clientAddress(trustedProxies: readonly string[]): ClientAddress {
  if (trustedProxies.length === 0) return peer;
  const trust = proxyAddr.compile([...trustedProxies]);
  return (req) => {
    try {
      return proxyAddr(req, trust);
    } catch {
      return peer(req);
    }
  };
}
