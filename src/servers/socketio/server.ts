import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { Server, type Socket } from 'socket.io';
import { logPositionOf } from '../../domain/log-position.js';
import type { Tick } from '../../domain/tick.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import type { Traffic } from '../../observability/traffic.js';
import type { ConnectionLimiter } from '../../ports/connection-limiter.js';
import type { Service } from '../../ports/lifecycle.js';
import type { PriceStore } from '../../ports/price-store.js';
import type { PubSub } from '../../ports/pubsub.js';
import { ERROR_CODES, SOCKETIO_EVENTS, SOCKETIO_PATH, socketIoTick, type ErrorCode, type SocketIoAck, type SocketIoError } from '../../protocol/index.js';
import { symbolSet } from '../../domain/symbol-universe.js';
import { answerAndClose as refuseUpgrade } from '../http/refusal.js';
import type { GatewayAuth } from '../ws/access.js';
import type { GatewayLimits } from '../ws/gateway.js';
import { AddressBudget } from '../ws/address-budget.js';
import { SubscriptionBook } from '../ws/subscriptions.js';
import { SocketIoDelivery } from './delivery.js';
import { parseRoom, parseSymbols, type SocketIoRequest } from './requests.js';
import { SocketIoSession } from './session.js';
import { clientAddress, type ClientAddress } from '../http/client-address.js';
import { hasEngineSession } from './transport-backlog.js';
import { AddressCounts } from '../address-counts.js';

/** The native gateway's limits (WS_*), applied to Socket.IO connections on their own count. */
export interface SocketIoLimits extends Omit<GatewayLimits, 'flushMs'> {
  /** SOCKETIO_METRICS_MS: how often every client gets the `metrics` event. */
  readonly metricsMs: number;
}

export interface SocketIoDeps {
  readonly server: HttpServer;
  readonly store: PriceStore;
  readonly pubsub: PubSub<Tick>;
  readonly symbols: readonly string[] | ReadonlySet<string>;
  readonly onSymbolAdded?: (listener: (symbol: string) => void) => void;
  /** New connections per address, shared with the WebSocket gateway (and other gateways over Redis). */
  readonly connectionLimiter?: ConnectionLimiter;
  /** WS_REQUIRE_AUTH applies here too: then the handshake needs `auth: { token }`. */
  readonly auth?: GatewayAuth;
  readonly traffic: Traffic;
  readonly limits: SocketIoLimits;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** The address limits count a connection against (TRUST_PROXY); default: the peer's. */
  readonly clientAddress?: ClientAddress;
}

type Ack = (reply: SocketIoAck) => void;

/**
 * Socket.IO at `/socket.io/` on the gateway's HTTP port, with the events of the kafka-stream-sim
 * dashboard: a connection gets every symbol until it subscribes; `subscribe` narrows it (and sends
 * the latest tick of each symbol at once), `unsubscribe` removes, `join('stock-updates')` is every
 * symbol again; `stock-tick` per tick and `metrics` on connect and every SOCKETIO_METRICS_MS.
 * Subscriptions go through the gateway's SubscriptionBook (one upstream feed per symbol, snapshot
 * then live without gap or duplicate), so it works the same on one process or on many gateways
 * over Redis pub/sub. Limits, origins and slow consumers follow the WebSocket gateway's settings.
 */
export class SocketIoService implements Service {
  readonly name = 'socket.io';
  private io: Server | undefined;
  private readonly sessions = new Set<SocketIoSession>();
  private readonly perIp = new AddressCounts();
  private readonly addressBudget: AddressBudget;
  private readonly book: SubscriptionBook<SocketIoSession>;
  private readonly delivery: SocketIoDelivery;
  private metricsTimer: NodeJS.Timeout | undefined;
  /** Websocket handshakes this service admitted before handing them to engine.io (see `upgrade`). */
  private readonly admitted = new WeakSet<IncomingMessage>();
  private nextId = 1;
  private stopping = false;
  private readonly addressOf: ClientAddress;

  constructor(private readonly deps: SocketIoDeps) {
    this.addressOf = deps.clientAddress ?? clientAddress([]);
    const { limits } = deps;
    this.addressBudget = new AddressBudget(limits.addressMessageRate, limits.addressMessageBurst);
    this.delivery = new SocketIoDelivery({ slowBytes: limits.slowBytes, slowCloseMs: limits.slowCloseMs }, () => this.book.epoch, deps.metrics, deps.logger);
    this.book = new SubscriptionBook<SocketIoSession>(symbolSet(deps.symbols), limits.maxSymbols, deps.store, deps.pubsub, this.delivery);
  }

  /**
   * Upgrades under `/socket.io/` (called by the WebSocket gateway, the one `upgrade` listener of the
   * port). What engine.io would refuse is refused here with the answer every refused upgrade on
   * this port gets (the status and stable code as JSON, then `end`, where engine.io's own refusal
   * is a text 400 and `destroy`). A new websocket connection passes the handshake checks (`admit`)
   * here first, so engine.io's `allowRequest` only confirms it. Returns false before `start`, so
   * nothing under `/socket.io/` is left unanswered while the process starts.
   */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, pathname: string): boolean {
    const io = this.io;
    if (io === undefined || !pathname.startsWith(SOCKETIO_PATH)) return false;
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    if (query.get('transport') !== 'websocket' || query.get('EIO') !== '4') {
      refuseUpgrade(socket, 'BAD_REQUEST', 'A Socket.IO upgrade is /socket.io/?EIO=4&transport=websocket (socket.io-client 3 or later).');
      return true;
    }
    const sid = query.get('sid');
    if (sid !== null) {
      // Upgrading a long-polling session of this process (a session elsewhere needs sticky routing).
      if (!hasEngineSession(io, sid)) refuseUpgrade(socket, 'BAD_REQUEST', 'Unknown Socket.IO session.');
      else io.engine.handleUpgrade(req, socket, head);
      return true;
    }
    this.admit(req, (code, ok) => {
      if (socket.destroyed) return;
      if (!ok) return refuseUpgrade(socket, (code ?? 'NOT_READY') as ErrorCode);
      this.admitted.add(req);
      io.engine.handleUpgrade(req, socket, head);
    });
    return true;
  }

  async start(): Promise<void> {
    const { limits } = this.deps;
    await this.book.refreshEpoch();
    this.deps.pubsub.onResubscribed(() => this.book.resyncAll());
    // A symbol that joins the universe: connections that follow every symbol get it too.
    this.deps.onSymbolAdded?.(() => {
      for (const session of this.sessions) if (session.followsAll && !session.closing) this.enqueue(session, { kind: 'join', all: true }, undefined);
    });
    const origins = limits.allowedOrigins;
    const gatewayListeners = new Set(this.deps.server.listeners('upgrade'));
    this.io = new Server(this.deps.server, {
      path: SOCKETIO_PATH,
      serveClient: false,
      transports: ['polling', 'websocket'],
      destroyUpgrade: false,
      // The same allowlist as the WebSocket: it decides the handshake, and these headers let pages
      // of those origins make the long-polling requests.
      cors: { origin: origins.includes('*') ? '*' : [...origins], methods: ['GET', 'POST'] },
      allowRequest: (req, callback) => (this.admitted.has(req) ? callback(null, true) : this.admit(req, callback)),
      maxHttpBufferSize: limits.maxFrameBytes,
      pingInterval: limits.heartbeatMs,
      pingTimeout: Math.min(limits.heartbeatMs, 20_000),
      perMessageDeflate: false,
    });
    // The gateway routes upgrades (see `upgrade`): engine.io's own upgrade listener goes.
    for (const listener of this.deps.server.listeners('upgrade')) if (!gatewayListeners.has(listener)) this.deps.server.off('upgrade', listener as () => void);
    if (this.deps.auth?.required) this.io.use((socket, next) => void this.authenticate(socket).then(() => next(), next));
    this.io.on('connection', (socket) => this.connected(socket));
    this.io.engine.on('connection_error', (error: { code: number; message: string; context?: unknown }) =>
      this.deps.logger.debug({ code: error.code, reason: error.message, context: error.context }, 'Socket.IO request refused'),
    );
    this.delivery.start();
    this.metricsTimer = setInterval(() => void this.broadcastMetrics(), limits.metricsMs);
    this.deps.logger.info({ path: SOCKETIO_PATH }, 'Socket.IO started');
  }

  /** The handshake (first request of a connection): the WebSocket gateway's checks, in its order. */
  private admit(req: IncomingMessage, callback: (code: string | null | undefined, ok: boolean) => void): void {
    const refuse = (code: ErrorCode): void => {
      this.deps.metrics.socketIoConnectionsRejected.inc({ code });
      callback(code, false);
    };
    const { limits } = this.deps;
    if (this.stopping) return refuse('TOO_MANY_CONNECTIONS');
    const origin = req.headers.origin;
    if (origin !== undefined && !limits.allowedOrigins.includes('*') && !limits.allowedOrigins.includes(origin)) return refuse('ORIGIN_NOT_ALLOWED');
    if (this.sessions.size >= limits.maxConnections) return refuse('TOO_MANY_CONNECTIONS');
    const ip = this.addressOf(req);
    if (this.perIp.of(ip) >= limits.maxConnectionsPerIp) return refuse('TOO_MANY_CONNECTIONS_FROM_IP');
    const limiter = this.deps.connectionLimiter;
    if (!limiter) return callback(null, true);
    limiter.allow(ip).then(
      (allowed) => (allowed ? callback(null, true) : refuse('RATE_LIMITED')),
      (error: unknown) => {
        this.deps.logger.error({ err: error }, 'connection limiter failed');
        refuse('NOT_READY');
      },
    );
  }

  /** WS_REQUIRE_AUTH: a valid token in the handshake's `auth` (or `?token=`), else connect_error. */
  private async authenticate(socket: Socket): Promise<void> {
    const given: unknown = (socket.handshake.auth as { token?: unknown }).token ?? socket.handshake.query.token;
    const user = typeof given === 'string' && given !== '' ? await this.deps.auth!.tokens.verify(given) : undefined;
    if (user) return;
    const code: ErrorCode = given === undefined ? 'AUTH_REQUIRED' : 'INVALID_TOKEN';
    this.deps.metrics.socketIoConnectionsRejected.inc({ code });
    throw Object.assign(new Error(code), { data: { code, message: ERROR_CODES[code].text } });
  }

  private connected(socket: Socket): void {
    const { limits, metrics, logger } = this.deps;
    const ip = this.addressOf(socket.request);
    const now = Date.now();
    const session = new SocketIoSession(this.nextId++, ip, socket, { perSecond: limits.messageRate, burst: limits.messageBurst }, now);
    this.sessions.add(session);
    this.perIp.add(ip);
    this.addressBudget.opened(ip, now);
    metrics.socketIoConnections.inc();
    logger.debug({ sio: session.id, ip, transport: socket.conn.transport.name }, 'Socket.IO client connected');

    socket.on('error', (error) => logger.debug({ sio: session.id, err: error }, 'Socket.IO socket error'));
    socket.conn.on('error', (error: unknown) => logger.debug({ sio: session.id, err: error }, 'Socket.IO connection error'));
    socket.on('disconnect', (reason) => this.disconnected(session, reason));
    socket.use((_packet, next) => {
      if (this.withinBudget(session)) next();
    });
    socket.on(SOCKETIO_EVENTS.subscribe, (arg: unknown, ack?: unknown) => this.enqueue(session, parseSymbols('subscribe', arg, limits.maxSymbols), ack));
    socket.on(SOCKETIO_EVENTS.unsubscribe, (arg: unknown, ack?: unknown) => this.enqueue(session, parseSymbols('unsubscribe', arg, limits.maxSymbols), ack));
    socket.on(SOCKETIO_EVENTS.join, (arg: unknown, ack?: unknown) => this.enqueue(session, parseRoom('join', arg), ack));
    socket.on(SOCKETIO_EVENTS.leave, (arg: unknown, ack?: unknown) => this.enqueue(session, parseRoom('leave', arg), ack));

    // Like the reference bridge: every symbol until the client narrows, and the figures at once.
    this.enqueue(session, { kind: 'join', all: true }, undefined);
    void this.deps.traffic.figures().then((figures) => socket.emit(SOCKETIO_EVENTS.metrics, figures));
  }

  private disconnected(session: SocketIoSession, reason: string): void {
    if (!this.sessions.delete(session)) return;
    session.markClosing();
    this.perIp.remove(session.ip);
    this.addressBudget.closed(session.ip);
    this.book.leaveAll(session);
    this.delivery.forget(session);
    session.discard();
    this.deps.metrics.socketIoConnections.dec();
    this.deps.logger.debug({ sio: session.id, reason }, 'Socket.IO client disconnected');
  }

  /** The per-connection and per-address message budgets (message-rate.ts); a client past them many times in a row is dropped. */
  private withinBudget(session: SocketIoSession): boolean {
    const now = Date.now();
    const admission = session.rate.admit(now, () => this.addressBudget.take(session.ip, now));
    if (admission.verdict === 'accept') return true;
    if (admission.verdict === 'silence') {
      this.deps.metrics.socketIoConnectionsRejected.inc({ code: 'RATE_LIMITED' });
      session.markClosing();
      session.socket.disconnect(true);
      return false;
    }
    if (admission.reply !== undefined) {
      const { messageRate, addressMessageRate } = this.deps.limits;
      const message =
        admission.reply === 'address'
          ? `At most ${addressMessageRate} messages per second from one address across its connections; messages are being dropped.`
          : `At most ${messageRate} messages per second; messages are being dropped.`;
      this.error(session, { code: 'RATE_LIMITED', message });
    }
    return false;
  }

  /** Requests of one connection are handled one at a time, in the order they came. */
  private enqueue(session: SocketIoSession, request: SocketIoRequest | SocketIoError, ack: unknown): void {
    const reply = typeof ack === 'function' ? (ack as Ack) : undefined;
    session.work
      .run(() => (session.closing ? undefined : this.handle(session, request, reply)))
      .catch((error: unknown) => {
        this.deps.logger.error({ err: error, sio: session.id }, 'handling a Socket.IO request failed');
        this.refuse(session, { code: 'INTERNAL', message: ERROR_CODES.INTERNAL.text }, reply);
      });
  }

  private async handle(session: SocketIoSession, request: SocketIoRequest | SocketIoError, reply: Ack | undefined): Promise<void> {
    if ('code' in request) return this.refuse(session, request, reply);
    if ('all' in request) {
      session.follow(request.kind === 'join');
      if (request.kind === 'leave') this.book.leaveAll(session);
      else await this.join(session, ['*']);
      return this.settled(session, reply);
    }
    const { symbols: known, unknown } = this.book.resolve(request.symbols);
    const unknownError: SocketIoError | undefined =
      unknown.length > 0 ? { code: 'UNKNOWN_SYMBOL', message: `Unknown symbol(s): ${unknown.slice(0, 20).join(', ')}.`, symbols: unknown } : undefined;
    if (request.kind === 'unsubscribe') {
      session.follow(false);
      this.book.unsubscribe(session, known);
      return this.settled(session, reply, unknownError);
    }
    if (known.length > 0) {
      // Narrowing a connection that followed every symbol drops the others; otherwise symbols add up.
      const size = session.followsAll ? known.length : new Set([...session.symbols.keys(), ...known]).size;
      if (size > this.deps.limits.maxSymbols) {
        return this.refuse(session, { code: 'TOO_MANY_SYMBOLS', message: `At most ${this.deps.limits.maxSymbols} symbols per connection (or "stock-updates").` }, reply);
      }
      if (session.followsAll) this.book.unsubscribe(session, [...session.symbols.keys()].filter((s) => !known.includes(s)));
      session.follow(false);
      // Symbols it already streams keep streaming (no gap) and get their latest tick repeated;
      // the others are joined with a snapshot.
      for (const symbol of known) session.repeatLatest(symbol);
      await this.join(session, known);
    }
    this.settled(session, reply, unknownError);
  }

  /** Subscribes through the book and queues what it read first (the snapshot), then live ticks. */
  private async join(session: SocketIoSession, symbols: readonly string[]): Promise<void> {
    const outcome = await this.book.subscribe(session, symbols, {});
    if (!outcome.ok) throw new Error(`${outcome.code}: ${outcome.message}`);
    if (session.closing) return;
    for (const [symbol, ticks] of outcome.first) session.release(symbol, ticks.map((t) => socketIoTick(t, outcome.epoch, logPositionOf(t))));
    this.delivery.touch(session);
  }

  /** The request is done: an error event for what was refused in it, and the acknowledgement. */
  private settled(session: SocketIoSession, reply: Ack | undefined, error?: SocketIoError): void {
    if (error) this.error(session, error);
    reply?.({ ok: error === undefined, symbols: session.subscription(), ...(error ? { error } : {}) });
  }

  private refuse(session: SocketIoSession, error: SocketIoError, reply: Ack | undefined): void {
    this.error(session, error);
    reply?.({ ok: false, symbols: session.subscription(), error });
  }

  private error(session: SocketIoSession, error: SocketIoError): void {
    this.deps.metrics.socketIoClientErrors.inc({ code: error.code });
    if (!session.closing) session.socket.emit(SOCKETIO_EVENTS.error, error);
  }

  private async broadcastMetrics(): Promise<void> {
    if (!this.io || this.sessions.size === 0) return;
    try {
      this.io.emit(SOCKETIO_EVENTS.metrics, await this.deps.traffic.figures());
    } catch (error) {
      this.deps.logger.error({ err: error }, 'reading the metrics for Socket.IO failed');
    }
  }

  /**
   * Refuses new handshakes and closes every connection's transport: clients see a transport close
   * (not a server disconnect), so socket.io-client reconnects, to another gateway if this one is gone.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.metricsTimer) clearInterval(this.metricsTimer);
    this.delivery.flush();
    this.delivery.stop();
    for (const session of this.sessions) session.markClosing();
    // Not io.close(): it would close the HTTP server, which the http service owns and stops last.
    this.io?.engine.close();
  }
}
