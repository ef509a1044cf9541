import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { answerAndClose } from './refusal.js';
import { AddressCounts } from '../address-counts.js';

export interface ConnectionCapOptions {
  /** Open HTTP connections one address may hold; 0: no cap. */
  readonly maxPerAddress: number;
  /** Called for every connection refused, e.g. to count it. */
  readonly onRefused?: (address: string) => void;
}

/**
 * Caps the HTTP connections one client address holds open on this server. One over the cap is
 * answered `429 TOO_MANY_CONNECTIONS_FROM_IP` at once, before any of its bytes are parsed, and
 * closed: a slow client cannot pile up file descriptors past its share.
 *
 * A socket upgraded to a WebSocket leaves the count: from then on it is the gateway's, under
 * WS_MAX_CONNECTIONS_PER_IP, so the two caps do not stack.
 *
 * Node's HTTP server parses every connection it accepts (its own `connection` listener, installed
 * when the server is made). To refuse a connection without that parser also answering it, the
 * listeners present now are moved behind a gate that calls them only for admitted connections.
 * Call this right after the server is created, before other `connection` listeners are added;
 * listeners added later see every connection, refused ones included.
 */
export function capConnectionsPerAddress(server: Server, options: ConnectionCapOptions): { open(address: string): number } {
  const open = new AddressCounts();
  const counted = new WeakMap<Socket, string>();
  const release = (socket: Socket): void => {
    const address = counted.get(socket);
    if (address === undefined) return;
    counted.delete(socket);
    open.remove(address);
  };
  const parsers = server.listeners('connection') as ((socket: Socket) => void)[];
  if (options.maxPerAddress > 0) {
    for (const listener of parsers) server.off('connection', listener);
    server.on('connection', (socket: Socket) => {
      const address = socket.remoteAddress ?? 'unknown';
      const holding = open.of(address);
      if (holding >= options.maxPerAddress) {
        options.onRefused?.(address);
        return answerAndClose(socket, 'TOO_MANY_CONNECTIONS_FROM_IP', `This address holds ${holding} open HTTP connections, the most allowed (HTTP_MAX_CONNECTIONS_PER_IP).`, { 'Retry-After': '1' });
      }
      open.add(address);
      counted.set(socket, address);
      socket.once('close', () => release(socket));
      for (const listener of parsers) listener.call(server, socket);
    });
    // Prepended, so the count drops before the gateway (or any upgrade listener) takes the socket.
    server.prependListener('upgrade', (_request, socket: Socket) => {
      release(socket);
      // Node hands upgrades to 'upgrade' listeners instead of answering them as requests, and this
      // is one: in a process with no gateway (or before it starts) nobody else would answer.
      if (server.listenerCount('upgrade') === 1) answerAndClose(socket, 'NOT_FOUND', 'No WebSocket endpoint in this process.');
    });
  }
  return { open: (address) => open.of(address) };
}
