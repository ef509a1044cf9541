import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type { SocketIoAck, SocketIoError, SocketIoMetrics, SocketIoTick } from '../../src/protocol/socketio.js';
import { waitFor } from './wait.js';

/**
 * A real socket.io-client connection that records what the server sends: `stock-tick`, `metrics`
 * and `error` events, in arrival order. No automatic reconnection: a test sees every disconnect.
 */
export class SocketIoTestClient {
  readonly ticks: SocketIoTick[] = [];
  readonly metrics: SocketIoMetrics[] = [];
  readonly errors: SocketIoError[] = [];
  disconnectReason: string | undefined;

  private constructor(readonly socket: Socket) {
    socket.on('stock-tick', (t: SocketIoTick) => this.ticks.push(t));
    socket.on('metrics', (m: SocketIoMetrics) => this.metrics.push(m));
    socket.on('error', (e: SocketIoError) => this.errors.push(e));
    socket.on('disconnect', (reason) => (this.disconnectReason = reason));
  }

  /** Connects and resolves once connected; rejects with the connect_error. */
  static connect(url: string, options: Partial<ManagerOptions & SocketOptions> = {}): Promise<SocketIoTestClient> {
    const socket = io(url, { reconnection: false, forceNew: true, timeout: 10_000, ...options });
    const client = new SocketIoTestClient(socket);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(client));
      socket.once('connect_error', (error) => {
        socket.close();
        reject(error);
      });
    });
  }

  /** Emits a request with an acknowledgement callback and resolves with the server's ack. */
  request(event: 'subscribe' | 'unsubscribe' | 'join' | 'leave', arg: unknown): Promise<SocketIoAck> {
    return this.socket.timeout(10_000).emitWithAck(event, arg) as Promise<SocketIoAck>;
  }

  /** The ticks received from `from` (an index into `ticks`) on. */
  ticksSince(from: number, symbol?: string): SocketIoTick[] {
    return this.ticks.slice(from).filter((t) => symbol === undefined || t.symbol === symbol);
  }

  async waitForTick(what: string, match: (t: SocketIoTick) => boolean, from = 0, timeoutMs = 10_000): Promise<SocketIoTick> {
    return waitFor(() => this.ticks.slice(from).find(match), what, timeoutMs);
  }

  close(): void {
    this.socket.close();
  }
}
