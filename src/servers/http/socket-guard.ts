import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../../observability/logger.js';

/**
 * Gives every TCP connection the server accepts an error listener for its whole life.
 *
 * Node's HTTP server listens for errors on a socket only while it parses HTTP on it: when a
 * request asks for an upgrade, it removes its listener and hands the raw socket to whoever
 * listens for `upgrade` (the gateway, or a library such as engine.io). A peer that resets such a
 * socket (ECONNRESET, e.g. `SO_LINGER 0` after reading a refused upgrade) then emits an `error`
 * nobody handles, and that kills the process. The socket's owner still closes it; this listener
 * only makes sure the error is never unhandled.
 */
export function guardSockets(server: Server, logger: Logger): void {
  server.on('connection', (socket: Socket) => {
    socket.on('error', (error: NodeJS.ErrnoException) => logger.debug({ code: error.code, remote: socket.remoteAddress }, 'client socket error'));
  });
}
