import type { Server, Socket } from 'socket.io';

/**
 * What a Socket.IO connection has not sent yet, how to cut one that will never read it, and
 * whether a session id is known.
 *
 * Socket.IO has no public measure of a client's backlog: `socket.emit` always accepts, and
 * engine.io keeps the packets in its socket's `writeBuffer` while the transport is busy (a
 * websocket waiting for its last write to leave, a long-polling client that has not come back for
 * them). The gateway must bound that, so this module reads two engine.io 6 internals, kept here:
 * the socket's `writeBuffer` (packets whose data is the encoded text) and, for the websocket
 * transport, the `ws` socket under it (`bufferedAmount`: what `ws` handed to the TCP socket and the
 * kernel has not taken). Whenever either is missing, it counts as empty; the per-client queue in
 * session.ts still bounds what waits on our side.
 */
interface EngineInternals {
  writeBuffer?: readonly { data?: unknown }[];
  transport?: { name?: string; socket?: { bufferedAmount?: number; terminate?: () => void } };
  close?: (discard?: boolean) => void;
}

function engineOf(socket: Socket): EngineInternals {
  return socket.conn as unknown as EngineInternals;
}

/** Bytes queued for the client below us: engine.io's write buffer plus the websocket's. */
export function unsentBytes(socket: Socket): number {
  const engine = engineOf(socket);
  let bytes = 0;
  for (const packet of engine.writeBuffer ?? []) {
    const data = packet.data;
    if (typeof data === 'string') bytes += data.length;
    else if (Buffer.isBuffer(data)) bytes += data.length;
  }
  const ws = engine.transport?.name === 'websocket' ? engine.transport.socket : undefined;
  return bytes + (ws?.bufferedAmount ?? 0);
}

/**
 * Disconnects at once, dropping what is queued: `disconnect(true)` alone makes engine.io wait for
 * its write buffer to drain, which a client that stopped reading never lets happen.
 */
export function cutConnection(socket: Socket): void {
  const engine = engineOf(socket);
  socket.disconnect(true);
  engine.close?.(true);
  if (engine.transport?.name === 'websocket') engine.transport.socket?.terminate?.();
}

/** Whether engine.io holds a session with this id (its `clients` map, protected in its types). */
export function hasEngineSession(io: Server, sid: string): boolean {
  const clients = (io.engine as unknown as { clients?: Record<string, unknown> }).clients;
  return clients !== undefined && Object.hasOwn(clients, sid);
}
