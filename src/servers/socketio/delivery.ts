import { logPositionOf } from '../../domain/log-position.js';
import type { Tick } from '../../domain/tick.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { SOCKETIO_EVENTS, socketIoTick } from '../../protocol/socketio.js';
import type { FeedSink } from '../ws/symbol-feed.js';
import type { SocketIoSession } from './session.js';
import { cutConnection, unsentBytes } from './transport-backlog.js';

export interface DeliveryOptions {
  /** Unsent bytes past which a client is conflated: WS_SLOW_BYTES. */
  readonly slowBytes: number;
  /** How long it may stay conflated before it is disconnected: WS_SLOW_CLOSE_MS. */
  readonly slowCloseMs: number;
}

/**
 * Hands ticks to Socket.IO clients, with the native gateway's slow-consumer rules (Dispatcher):
 * ticks of one turn of the event loop are emitted together; a client whose unsent bytes
 * (transport-backlog.ts) pass `slowBytes` is switched to conflation and gets nothing more until
 * it drains below half of that, then the newest tick of each symbol; one still behind after
 * `slowCloseMs` is disconnected (SLOW_CONSUMER). Memory per client stays bounded: Socket.IO's
 * buffer stops growing once the client is conflated, and ours holds one tick per symbol.
 */
export class SocketIoDelivery implements FeedSink<SocketIoSession> {
  private readonly dirty = new Set<SocketIoSession>();
  private readonly conflating = new Set<SocketIoSession>();
  private scheduled = false;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: DeliveryOptions,
    private readonly epoch: () => string,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    const every = Math.max(20, Math.min(250, this.options.slowCloseMs / 4));
    this.sweeper = setInterval(() => this.sweep(), every);
  }

  stop(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  delivered(tick: Tick, sessions: Iterable<SocketIoSession>): void {
    // Built once for every subscriber; Socket.IO encodes it per client.
    const payload = socketIoTick(tick, this.epoch(), logPositionOf(tick));
    let conflated = 0;
    for (const session of sessions) {
      const r = session.offer(payload);
      if (r < 0) conflated++;
      else if (r > 0) this.touch(session);
    }
    this.metrics.gatewayTicksDelivered.inc();
    if (conflated > 0) this.metrics.socketIoTicksConflated.inc(conflated);
  }

  gapFilled(): void {
    this.metrics.wsGapFills.inc();
  }

  failed(symbol: string, error: unknown): void {
    this.logger.error({ err: error, symbol }, 'reading the store for a Socket.IO symbol feed failed');
  }

  /** The session has ticks (a snapshot, live ones) to emit. */
  touch(session: SocketIoSession): void {
    this.dirty.add(session);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  forget(session: SocketIoSession): void {
    this.dirty.delete(session);
    this.conflating.delete(session);
  }

  flush(): void {
    this.scheduled = false;
    const now = this.now();
    let sent = 0;
    for (const session of this.dirty) {
      if (session.closing || !session.socket.connected) {
        const dropped = session.discard();
        if (dropped > 0) this.metrics.wsTicksDropped.inc(dropped);
        continue;
      }
      if (!session.conflating && unsentBytes(session.socket) > this.options.slowBytes) {
        const replaced = session.startConflating(now);
        this.conflating.add(session);
        if (replaced > 0) this.metrics.socketIoTicksConflated.inc(replaced);
        this.logger.debug({ sio: session.id, transport: session.socket.conn.transport.name }, 'Socket.IO client is behind: conflating');
      }
      for (const tick of session.take()) {
        session.socket.emit(SOCKETIO_EVENTS.stockTick, tick);
        sent++;
      }
    }
    this.dirty.clear();
    if (sent > 0) this.metrics.socketIoTicksSent.inc(sent);
  }

  private sweep(): void {
    const now = this.now();
    for (const session of this.conflating) {
      if (session.closing || !session.socket.connected) {
        this.conflating.delete(session);
        continue;
      }
      if (unsentBytes(session.socket) <= this.options.slowBytes / 2) {
        session.stopConflating();
        this.conflating.delete(session);
        this.touch(session);
      } else if (now - session.conflatingSince > this.options.slowCloseMs) {
        this.conflating.delete(session);
        session.markClosing();
        this.metrics.socketIoSlowConsumerCloses.inc();
        this.logger.info({ sio: session.id, ip: session.ip, transport: session.socket.conn.transport.name }, 'disconnecting slow Socket.IO consumer');
        session.discard();
        cutConnection(session.socket);
      }
    }
  }
}
