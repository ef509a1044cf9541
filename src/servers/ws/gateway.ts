import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { Tick } from '../../domain/tick.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import type { Service } from '../../ports/lifecycle.js';
import type { PriceStore } from '../../ports/price-store.js';
import type { PubSub } from '../../ports/pubsub.js';
import type { ConnectionLimiter } from '../../ports/connection-limiter.js';
import { CLOSE_CODES, ERROR_CODES, errorMessage, indicatorsSubscribedMessage, parseClientMessage, pongMessage, subscribedMessage, type ClientMessage, type ErrorCode } from '../../protocol/index.js';
import { Access, type GatewayAuth } from './access.js';
import { AddressBudget } from './address-budget.js';
import { Dispatcher } from './dispatcher.js';
import { Session } from './session.js';
import { traceConnect, traceControl, traceDisconnect } from '../../observability/tracing/ws-spans.js';
import { SubscriptionBook } from './subscriptions.js';
import { IndicatorBook, type IndicatorFeedOptions } from './indicator-book.js';
import { symbolSet } from '../../domain/symbol-universe.js';
import { answerAndClose } from '../http/refusal.js';
import { clientAddress, type ClientAddress } from '../http/client-address.js';
import { AddressCounts } from '../address-counts.js';

export interface GatewayLimits {
  readonly maxConnections: number;
  readonly maxConnectionsPerIp: number;
  readonly allowedOrigins: readonly string[];
  readonly maxFrameBytes: number;
  readonly maxSymbols: number;
  readonly messageRate: number;
  readonly messageBurst: number;
  /** Client messages per second one address may send across all its sockets (token bucket refill). */
  readonly addressMessageRate: number;
  readonly addressMessageBurst: number;
  readonly heartbeatMs: number;
  readonly slowBytes: number;
  readonly slowCloseMs: number;
  readonly flushMs: number;
}

export interface GatewayDeps {
  readonly server: Server;
  readonly store: PriceStore;
  readonly pubsub: PubSub<Tick>;
  /** Indicator subscriptions; without it a subscribe with `indicators` is UNKNOWN_INDICATOR for every name. */
  readonly indicators?: IndicatorFeedOptions;
  /** New connections per address; shared by all gateways when it is backed by Redis. */
  readonly connectionLimiter?: ConnectionLimiter;
  /** A live set when ingest sources add symbols. */
  readonly symbols: readonly string[] | ReadonlySet<string>;
  /** Tells of symbols that join the universe (ingest): sessions following `*` are subscribed to them. */
  readonly onSymbolAdded?: (listener: (symbol: string) => void) => void;
  readonly limits: GatewayLimits;
  /** Accounts: verifies tokens and delivers per-user events. Without it `auth` is AUTH_NOT_AVAILABLE. */
  readonly auth?: GatewayAuth;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly path?: string;
  /** Offers an upgrade to another server on this port (Socket.IO); true when it took it. */
  readonly upgradedElsewhere?: (req: IncomingMessage, socket: Duplex, head: Buffer, pathname: string) => boolean;
  /** The address limits count a connection against (TRUST_PROXY); default: the peer's. */
  readonly clientAddress?: ClientAddress;
}

/** How long clients get to answer our close (1001) at shutdown. */
const SHUTDOWN_CLOSE_MS = 2_000;

/** The WebSocket gateway (protocol v1 at `/ws`): limits, sessions, subscription commands. */
export class GatewayService implements Service {
  readonly name = 'gateway';
  private readonly wss: WebSocketServer;
  private readonly sessions = new Set<Session>();
  private readonly perIp = new AddressCounts();
  private readonly addressBudget: AddressBudget;
  private readonly book: SubscriptionBook;
  private readonly indicatorBook: IndicatorBook | undefined;
  private readonly dispatcher: Dispatcher;
  private readonly access: Access;
  private readonly universe: ReadonlySet<string>;
  private readonly addressOf: ClientAddress;
  private heartbeat: NodeJS.Timeout | undefined;
  private nextId = 1;
  private stopping = false;
  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => this.upgrade(req, socket, head);
  private readonly onSocketError = (error: NodeJS.ErrnoException): void => this.deps.logger.debug({ code: error.code }, 'upgrading socket error');

  constructor(private readonly deps: GatewayDeps) {
    const { limits } = deps;
    this.addressOf = deps.clientAddress ?? clientAddress([]);
    this.universe = symbolSet(deps.symbols);
    this.addressBudget = new AddressBudget(limits.addressMessageRate, limits.addressMessageBurst);
    this.wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxFrameBytes, perMessageDeflate: false, clientTracking: false });
    this.dispatcher = new Dispatcher({ slowBytes: limits.slowBytes, slowCloseMs: limits.slowCloseMs, flushMs: limits.flushMs }, deps.metrics, deps.logger);
    this.book = new SubscriptionBook(this.universe, limits.maxSymbols, deps.store, deps.pubsub, this.dispatcher);
    if (deps.indicators) {
      this.indicatorBook = new IndicatorBook(
        deps.indicators,
        this.universe,
        deps.store,
        (session, message) => {
          session.control(message);
          this.dispatcher.touch(session);
        },
        (error) => deps.logger.error({ err: error }, 'indicator feed failed'),
      );
    }
    this.access = new Access(
      deps.auth,
      {
        error: (session, code, message, id) => this.error(session, code, message, id),
        close: (session, code, reason) => this.closeWith(session, code, reason),
        subscribe: (session, symbols) => this.subscribe(session, symbols, {}, false, undefined),
        touch: (session) => this.dispatcher.touch(session),
      },
      deps.metrics,
      (error) => deps.logger.error({ err: error }, 'user feed failed'),
    );
  }

  async start(): Promise<void> {
    // Adapters start before services, so the store answers; every frame names the epoch from here on.
    await this.book.refreshEpoch();
    this.deps.server.on('upgrade', this.onUpgrade);
    this.deps.pubsub.onResubscribed(() => this.book.resyncAll());
    this.deps.indicators?.pubsub.onResubscribed(() => this.indicatorBook?.resyncAll());
    this.deps.onSymbolAdded?.((symbol) => {
      for (const session of this.sessions) if (session.followsAll && !session.closing) this.enqueue(session, { action: 'subscribe', symbols: [symbol], since: {} }, false);
    });
    this.dispatcher.start();
    this.heartbeat = setInterval(() => this.beat(), this.deps.limits.heartbeatMs);
    this.deps.logger.info({ path: this.path }, 'gateway started');
  }

  private get path(): string {
    return this.deps.path ?? '/ws';
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Node stopped listening for errors on this socket when it saw the upgrade; until ws takes it
    // over (or we refuse it), a peer's reset would otherwise be an unhandled error.
    socket.on('error', this.onSocketError);
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (this.deps.upgradedElsewhere?.(req, socket, head, url.pathname)) return;
    if (url.pathname !== this.path) return refuse(socket, 'NOT_FOUND');
    if (this.stopping) return refuse(socket, 'TOO_MANY_CONNECTIONS', 'The gateway is shutting down.');
    const origin = req.headers.origin;
    const origins = this.deps.limits.allowedOrigins;
    if (origin !== undefined && !origins.includes('*') && !origins.includes(origin)) {
      this.deps.metrics.wsConnectionsRejected.inc({ code: 'ORIGIN_NOT_ALLOWED' });
      return refuse(socket, 'ORIGIN_NOT_ALLOWED');
    }
    const param = url.searchParams.get('symbols');
    const initial = param === null ? ['*'] : param.split(',').map((s) => s.trim().toUpperCase()).filter((s) => s !== '');
    // Whatever is wrong with the URL's subscription is said here, by refusing the upgrade: once
    // open, a client that sent nothing gets ticks only, never an unsolicited error frame.
    const { symbols: resolved, unknown, wildcard } = this.book.resolve(initial);
    if (unknown.length > 0) return refuse(socket, 'UNKNOWN_SYMBOL', `Unknown symbol(s): ${unknown.slice(0, 20).join(', ')}.`);
    if (!wildcard && resolved.length > this.deps.limits.maxSymbols) {
      return refuse(socket, 'TOO_MANY_SYMBOLS', `At most ${this.deps.limits.maxSymbols} symbols per connection (or "*").`);
    }
    const batch = ['1', 'true'].includes(url.searchParams.get('batch') ?? '');
    const limiter = this.deps.connectionLimiter;
    if (!limiter) return this.wss.handleUpgrade(req, socket, head, (ws) => this.connected(ws, req, initial, batch));
    const ip = this.addressOf(req);
    limiter.allow(ip).then(
      (allowed) => {
        // The peer may have gone while the limiter (a Redis round trip when shared) decided.
        if (socket.destroyed) return;
        if (!allowed) {
          this.deps.metrics.wsConnectionsRejected.inc({ code: 'RATE_LIMITED' });
          return refuse(socket, 'RATE_LIMITED', 'Too many new connections from this address; retry later.');
        }
        this.wss.handleUpgrade(req, socket, head, (ws) => this.connected(ws, req, initial, batch));
      },
      (error: unknown) => {
        this.deps.logger.error({ err: error }, 'connection limiter failed');
        if (!socket.destroyed) refuse(socket, 'NOT_READY');
      },
    );
  }

  private connected(ws: WebSocket, req: IncomingMessage, initial: string[], batch: boolean): void {
    const ip = this.addressOf(req);
    const { limits, metrics } = this.deps;
    if (this.sessions.size >= limits.maxConnections) {
      metrics.wsConnectionsRejected.inc({ code: 'TOO_MANY_CONNECTIONS' });
      return ws.close(CLOSE_CODES.TRY_AGAIN_LATER, 'TOO_MANY_CONNECTIONS');
    }
    if (this.perIp.of(ip) >= limits.maxConnectionsPerIp) {
      metrics.wsConnectionsRejected.inc({ code: 'TOO_MANY_CONNECTIONS_FROM_IP' });
      return ws.close(CLOSE_CODES.TRY_AGAIN_LATER, 'TOO_MANY_CONNECTIONS_FROM_IP');
    }
    const session = new Session(this.nextId++, ip, ws, { batch, messageRate: limits.messageRate, messageBurst: limits.messageBurst }, Date.now());
    this.sessions.add(session);
    this.perIp.add(ip);
    this.addressBudget.opened(ip, Date.now());
    metrics.wsConnections.inc();
    this.deps.logger.debug({ conn: session.id, ip }, 'client connected');
    traceConnect(session, { id: session.id, ip, symbols: initial.length }, req.headers);

    ws.on('pong', () => session.heard());
    ws.on('message', (data, isBinary) => this.received(session, data, isBinary));
    ws.on('error', (error) => {
      // ws already closes with 1009 for oversized frames and 1002 for protocol errors.
      this.deps.logger.debug({ conn: session.id, err: error }, 'client socket error');
    });
    ws.on('close', () => this.disconnected(session));
    // A URL token is verified before anything else the client sends; like the URL's subscription,
    // it gets no reply: a client that never writes receives ticks only (and its alerts).
    const token = new URL(req.url ?? '/', 'http://localhost').searchParams.get('token') || undefined;
    if (token !== undefined) this.enqueue(session, { action: 'auth', token }, false);
    const now = this.access.opened(session, token !== undefined, initial);
    if (now && initial.length > 0) this.enqueue(session, { action: 'subscribe', symbols: initial, since: {} }, false);
  }

  private disconnected(session: Session): void {
    if (!this.sessions.delete(session)) return;
    session.markClosing();
    this.perIp.remove(session.ip);
    this.addressBudget.closed(session.ip);
    this.book.leaveAll(session);
    this.indicatorBook?.leaveAll(session);
    this.access.closed(session);
    this.dispatcher.forget(session);
    this.deps.metrics.wsConnections.dec();
    this.deps.logger.debug({ conn: session.id }, 'client disconnected');
    traceDisconnect(session, session.id);
  }

  /**
   * Every reply, including the ones decided here (rate limit, unreadable frame), goes through the
   * session's queue of work, so replies leave in the order the client's messages came: an error
   * about message 3 never overtakes the reply to message 2 while that one reads the store.
   */
  private received(session: Session, data: RawData, isBinary: boolean): void {
    session.heard();
    if (session.closing || session.rate.silenced) return;
    const now = Date.now();
    const admission = session.rate.admit(now, () => this.addressBudget.take(session.ip, now));
    if (admission.verdict === 'silence') {
      // Nothing more is read; the replies already queued (the RATE_LIMITED one among them) go
      // out before the close frame.
      this.deps.metrics.wsConnectionsRejected.inc({ code: 'RATE_LIMITED' });
      this.after(session, () => this.closeWith(session, CLOSE_CODES.POLICY_VIOLATION, 'RATE_LIMITED'));
      return;
    }
    if (admission.verdict === 'drop') {
      if (admission.reply === undefined) return;
      const { messageRate, addressMessageRate } = this.deps.limits;
      const reason =
        admission.reply === 'address'
          ? `At most ${addressMessageRate} messages per second from one address across its connections; messages are being dropped.`
          : `At most ${messageRate} messages per second; messages are being dropped.`;
      this.after(session, () => this.error(session, 'RATE_LIMITED', reason));
      return;
    }
    const text = isBinary ? undefined : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
    if (text === undefined) return this.after(session, () => this.error(session, 'BAD_REQUEST', 'Messages are JSON text frames.'));
    const message = parseClientMessage(text);
    if ('error' in message) return this.after(session, () => this.error(session, message.error, message.message, message.id));
    this.enqueue(session, message, true);
  }

  /** Runs `step` once the session's earlier messages are handled (in their order). */
  private after(session: Session, step: () => void): void {
    session.work
      .run(() => {
        if (!session.closing) step();
      })
      .catch((error: unknown) => this.deps.logger.error({ err: error, conn: session.id }, 'replying to a client failed'));
  }

  private enqueue(session: Session, message: ClientMessage, reply: boolean): void {
    session.work
      .run(() => traceControl(session, message.action, session.id, () => this.handle(session, message, reply)))
      .catch((error: unknown) => {
        this.deps.logger.error({ err: error, conn: session.id }, 'handling a client message failed');
        if (reply) this.error(session, 'INTERNAL', ERROR_CODES.INTERNAL.text, message.id);
      });
  }

  private async handle(session: Session, message: ClientMessage, reply: boolean): Promise<void> {
    if (session.closing) return;
    const id = message.id;
    if (!this.access.allows(session, message.action)) return this.error(session, 'AUTH_REQUIRED', 'Authenticate first: {"action":"auth","token":"…"}.', id);
    switch (message.action) {
      case 'ping':
        session.control(pongMessage(Date.now(), id));
        return this.dispatcher.touch(session);
      case 'auth':
        return this.access.authenticate(session, message.token, reply, id);
      case 'unsubscribe': {
        session.follow(false);
        const { symbols, unknown } = this.book.resolve(message.symbols);
        if (unknown.length > 0) return this.error(session, 'UNKNOWN_SYMBOL', `Unknown symbol(s): ${unknown.slice(0, 20).join(', ')}.`, id);
        this.book.unsubscribe(session, symbols);
        return this.acknowledge(session, undefined, id);
      }
      case 'replace': {
        session.follow(message.symbols.includes('*'));
        // The watchlist seed subscribed to the valid names of the array and ignored the rest.
        const symbols = this.known(session, message.symbols, id);
        const keep = new Set(symbols);
        this.book.unsubscribe(session, session.subscribedSymbols().filter((s) => !keep.has(s)));
        return this.subscribe(session, symbols, {}, reply, id);
      }
      case 'subscribe': {
        if (message.symbols.includes('*')) session.follow(true);
        const symbols = this.known(session, message.symbols, id);
        // Nothing left to subscribe: the error reply is the whole answer.
        if (symbols.length === 0 && message.symbols.length > 0) return;
        const since = Object.fromEntries(Object.entries(message.since).filter(([s]) => symbols.includes(s)));
        return this.subscribe(session, symbols, since, reply, id, message.epoch);
      }
      case 'subscribeIndicators':
        return this.subscribeIndicators(session, message);
      case 'unsubscribeIndicators': {
        if (!this.indicatorBook) return this.error(session, 'UNKNOWN_INDICATOR', 'This gateway serves no indicators.', id);
        const refused = this.indicatorBook.unsubscribe(session, message.indicators);
        if (refused) return this.error(session, refused.code, refused.message, id, refused.symbols);
        session.control(indicatorsSubscribedMessage(this.indicatorBook.selection(session), id));
        return this.dispatcher.touch(session);
      }
    }
  }

  /** All or nothing: the reply, then one snapshot per symbol and interval, then live updates. */
  private async subscribeIndicators(session: Session, message: Extract<ClientMessage, { action: 'subscribeIndicators' }>): Promise<void> {
    const id = message.id;
    const book = this.indicatorBook;
    if (!book) return this.error(session, 'UNKNOWN_INDICATOR', 'This gateway serves no indicators.', id);
    const outcome = await book.subscribe(session, message.indicators, message.limit, id);
    if (!outcome.ok) return this.error(session, outcome.code, outcome.message, id, outcome.symbols);
    if (session.closing) return;
    session.control(indicatorsSubscribedMessage(book.selection(session), id));
    for (const snapshot of outcome.snapshots) session.control(snapshot);
    book.release(session, outcome.symbols);
    this.dispatcher.touch(session);
  }

  /**
   * The requested symbols that trade here (`*` kept). Unknown ones are reported in one
   * UNKNOWN_SYMBOL reply listing them (`symbols`), and the rest of the request goes ahead.
   */
  private known(session: Session, requested: readonly string[], id: unknown): string[] {
    const { unknown, wildcard } = this.book.resolve(requested);
    if (unknown.length === 0) return [...requested];
    this.error(session, 'UNKNOWN_SYMBOL', `Unknown symbol(s): ${unknown.slice(0, 20).join(', ')}; the others were subscribed.`, id, unknown);
    return wildcard ? ['*'] : requested.filter((s) => !unknown.includes(s));
  }

  private async subscribe(session: Session, symbols: readonly string[], since: Record<string, number>, reply: boolean, id: unknown, epoch?: string): Promise<void> {
    const outcome = await this.book.subscribe(session, symbols, since, epoch);
    if (!outcome.ok) {
      // A subscription the client did not ask for in a message (the URL's, checked at the upgrade;
      // symbols joining `*`) is never answered with a frame.
      if (reply) return this.error(session, outcome.code, outcome.message, id);
      this.deps.logger.warn({ conn: session.id, code: outcome.code }, 'an unrequested subscription failed');
      return;
    }
    if (session.closing) return;
    if (reply) this.acknowledge(session, Object.keys(since).length > 0 ? outcome.recovered : undefined, id);
    this.book.release(session, outcome.first);
    this.dispatcher.touch(session);
  }

  private acknowledge(session: Session, recovered: Record<string, boolean> | undefined, id: unknown): void {
    session.control(subscribedMessage(session.subscribedSymbols(), this.book.epoch, recovered, id));
    this.dispatcher.touch(session);
  }

  private error(session: Session, code: ErrorCode, message: string, id?: unknown, symbols?: readonly string[]): void {
    this.deps.metrics.wsClientErrors.inc({ code });
    session.control(errorMessage(code, message, id, symbols));
    this.dispatcher.touch(session);
  }

  /** Writes what is queued for the session (an error reply), then closes it. */
  private closeWith(session: Session, code: number, reason: ErrorCode): void {
    this.dispatcher.flush();
    session.markClosing();
    session.ws.close(code, reason);
  }

  /**
   * Judged in the check phase, after this turn's I/O: when the process was busy past a beat (a
   * start-up task, a long collection), the timer fires before the pongs that came meanwhile are
   * read, and judging at once would drop every healthy peer with the dead ones.
   */
  private beat(): void {
    setImmediate(() => this.pingOrDrop());
  }

  private pingOrDrop(): void {
    for (const session of this.sessions) {
      if (!session.answeredPing()) {
        this.deps.logger.debug({ conn: session.id }, 'no pong: dropping dead peer');
        session.ws.terminate();
        continue;
      }
      session.ws.ping();
    }
  }

  /** Stops accepting, tells every client we are going away (1001), and waits briefly for them. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.deps.server.off('upgrade', this.onUpgrade);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.dispatcher.flush();
    this.dispatcher.stop();
    const closed = [...this.sessions].map(
      (session) =>
        new Promise<void>((resolve) => {
          if (session.ws.readyState === WebSocket.CLOSED) return resolve();
          session.ws.once('close', () => resolve());
          session.markClosing();
          session.ws.close(CLOSE_CODES.GOING_AWAY, 'GOING_AWAY');
        }),
    );
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_CLOSE_MS).unref());
    await Promise.race([Promise.all(closed), timeout]);
    for (const session of this.sessions) session.ws.terminate();
    this.wss.close();
  }
}

/** Answers an upgrade we will not accept with a plain HTTP error carrying the stable code (see refusal.ts for how it closes). */
function refuse(socket: Duplex, code: ErrorCode, message?: string): void {
  answerAndClose(socket, code, message);
}
