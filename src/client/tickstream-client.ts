import {
  adviseOnClose,
  ALL_SYMBOLS,
  CLIENT_CLOSE_CODES,
  decodeServerMessage,
  encodeClientMessage,
  ticksOf,
  type ClientRequest,
  type ControlMessage,
  type IndicatorSelection,
  type IndicatorSnapshotMessage,
  type IndicatorUpdateMessage,
  type WireAlert,
  type WireTick,
  type WireUser,
} from '../protocol/index.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { IndicatorInterest } from './indicator-interest.js';

/** What this client needs of a WebSocket: the browser's, `ws`'s (Node) or a test fake. */
export interface SocketLike {
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export type ConnectionStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface TickstreamClientEvents {
  /**
   * Ticks in arrival order, after per-symbol `seq` checks, with the receipt time. `live` leaves out
   * the snapshot sent on subscribe (the latest tick, however old), for latency figures.
   */
  ticks?(ticks: WireTick[], receivedAt: number, live: WireTick[]): void;
  status?(status: ConnectionStatus, detail: { attempt: number; delayMs?: number; code?: number; reason?: string }): void;
  /** The server's acknowledgement: the full subscription set. */
  subscribed?(symbols: string[]): void;
  /** After a resume with `since`: false means history did not reach back, a snapshot was sent instead. */
  recovery?(symbol: string, recovered: boolean): void;
  /**
   * The server's stream epoch is not the one the positions were kept in (it restarted, or its
   * Redis was wiped): every position was dropped and fresh snapshots follow. Not on the first connection.
   */
  epochChanged?(previous: string, epoch: string): void;
  /** The server refused the token (INVALID_TOKEN): it was dropped; the client reconnects anonymously. */
  tokenRejected?(): void;
  /** The server closed with a terminal code (4500–4999): the client stopped. */
  terminated?(code: number, reason: string): void;
  /** Symbols of a subscribe the server refused (e.g. UNKNOWN_SYMBOL): they are no longer wanted. `*` wants every symbol. */
  rejected?(symbols: string[], code: string, message: string): void;
  serverError?(code: string, message: string): void;
  authenticated?(user: WireUser): void;
  alert?(alert: WireAlert, price: number, ts: number): void;
  /** The server's acknowledgement of an indicator subscribe or unsubscribe: every stream held. */
  indicatorsSubscribed?(indicators: IndicatorSelection): void;
  /**
   * The newest values of streams just subscribed (on every connection, so after a reconnect too):
   * they replace what was held for those streams, whatever updates were missed meanwhile.
   */
  indicatorSnapshot?(snapshot: IndicatorSnapshotMessage): void;
  /** One candle's values as computed now: they replace what was held for that candle. */
  indicator?(update: IndicatorUpdateMessage): void;
  /** An indicator subscribe the server refused (UNKNOWN_INDICATOR, UNKNOWN_SYMBOL, INVALID_INTERVAL, TOO_MANY_INDICATORS): its streams are no longer wanted. */
  indicatorsRejected?(indicators: IndicatorSelection, code: string, message: string): void;
  /** Any other message type (newer servers add some): `order`, `portfolio`. */
  message?(message: { type: string } & Record<string, unknown>): void;
}

export interface TickstreamClientOptions {
  /** The gateway, e.g. `ws://localhost:8080/ws`. */
  readonly url: string;
  readonly symbols: readonly string[];
  /** Indicator streams to follow from the start, e.g. `{ AAPL: ['1m:sma:20'] }` (see subscribeIndicators). */
  readonly indicators?: IndicatorSelection;
  /** Candles per stream in indicator snapshots; the server's default (200) when unset. */
  readonly indicatorSnapshotLimit?: number;
  /** Opens a socket; by default the platform's `WebSocket` (browsers, Node 22+). On Node 20 pass `(url) => new WebSocket(url)` from `ws`. */
  readonly create?: (url: string) => SocketLike;
  readonly events?: TickstreamClientEvents;
  readonly token?: string;
  readonly timers?: Timers;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly backoff?: BackoffOptions;
  /** A ping goes out this often; if nothing at all arrived by the next one, the link is dead. */
  readonly pingEveryMs?: number;
}

const defaultTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0]),
};

function platformSocket(url: string): SocketLike {
  const Platform = (globalThis as { WebSocket?: new (url: string) => SocketLike }).WebSocket;
  if (!Platform) throw new Error('no global WebSocket here: pass `create: (url) => new WebSocket(url)` (from the `ws` package)');
  return new Platform(url);
}

/**
 * A resumable client of the tickstream gateway (protocol v1), for browsers and Node. Keeps the
 * wanted symbols, the last `seq` seen per symbol and the stream epoch they belong to; when the link
 * drops it reconnects with exponential backoff and jitter and resubscribes with `since` and the
 * epoch, so the server replays what was missed — or, if its sequence restarted meanwhile (another
 * epoch), says so and sends fresh snapshots. No hole, no duplicate, no guessing from `seq`.
 * Close codes are honoured (protocol/close-codes.ts): a bad token is dropped, terminal codes stop.
 * Opts into batched frames (`batch=1`). Knows nothing of the DOM: the socket factory, timers,
 * clock and randomness can be injected.
 */
export class TickstreamClient {
  private socket: SocketLike | undefined;
  private readonly wanted = new Set<string>();
  private readonly lastSeq = new Map<string, number>();
  /** The stream epoch `lastSeq` belongs to; a resume names it so the server can tell a restart. */
  private epochSeen: string | undefined;
  private readonly pending = new Map<string, string[]>();
  private readonly indicatorInterest = new IndicatorInterest();
  /** Symbols subscribed without `since` whose first tick (the snapshot) has not come yet. */
  private readonly snapshotDue = new Set<string>();
  private token: string | undefined;
  private attempt = 0;
  private retryTimer: unknown;
  private pingTimer: unknown;
  private awaitingPong = false;
  private stopped = true;
  private opens = 0;
  private nextId = 1;
  private readonly timers: Timers;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly events: TickstreamClientEvents;

  status: ConnectionStatus = 'idle';
  /** Automatic reconnections that succeeded. */
  reconnects = 0;
  /** Epoch ms when the current connection opened, if it is open. */
  connectedAt: number | undefined;
  framesReceived = 0;
  ticksReceived = 0;
  /** Ticks whose `seq` skipped ahead on a connection (only conflated clients should ever see one). */
  gaps = 0;
  /** Round trip of the last ping, ms. */
  rttMs: number | undefined;
  private pingSentAt = 0;

  constructor(private readonly options: TickstreamClientOptions) {
    for (const s of options.symbols) this.wanted.add(s.toUpperCase());
    if (options.indicators) this.indicatorInterest.add(options.indicators);
    this.token = options.token;
    this.timers = options.timers ?? defaultTimers;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.events = options.events ?? {};
  }

  get symbols(): string[] {
    return [...this.wanted].sort();
  }

  /** The stream epoch of the positions, once the server named it. */
  get epoch(): string | undefined {
    return this.epochSeen;
  }

  /** The `since` a resume would send now. */
  get positions(): Record<string, number> {
    return Object.fromEntries(this.lastSeq);
  }

  connect(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt = 0;
    this.open();
  }

  /** Closes on purpose: no reconnect until `connect()`. Positions are kept, so that resumes too. */
  disconnect(): void {
    this.stopped = true;
    this.timers.clearTimeout(this.retryTimer);
    this.stopPing();
    const socket = this.socket;
    this.socket = undefined;
    this.connectedAt = undefined;
    if (socket) {
      detach(socket);
      socket.close(CLIENT_CLOSE_CODES.CLIENT_CLOSED, 'client closed');
    }
    this.setStatus('closed', { attempt: this.attempt });
  }

  subscribe(symbols: readonly string[]): void {
    const added = symbols.map((s) => s.toUpperCase()).filter((s) => !this.wanted.has(s));
    if (added.length === 0) return;
    for (const s of added) this.wanted.add(s);
    if (this.isOpen) this.sendSubscribe(added, {});
  }

  unsubscribe(symbols: readonly string[]): void {
    const removed = symbols.map((s) => s.toUpperCase()).filter((s) => this.wanted.has(s));
    if (removed.length === 0) return;
    for (const s of removed) {
      this.wanted.delete(s);
      this.lastSeq.delete(s);
    }
    if (this.isOpen) this.send({ action: 'unsubscribe', symbols: removed });
  }

  /**
   * Follows indicator streams, e.g. `{ AAPL: ['1m:sma:20', '1m:rsi:14'] }`: a snapshot of each
   * symbol and interval named, then updates (events `indicatorSnapshot`, `indicator`). Kept across
   * reconnects, where fresh snapshots replace what was missed.
   */
  subscribeIndicators(indicators: IndicatorSelection): void {
    const added = this.indicatorInterest.add(indicators);
    if (Object.keys(added).length > 0 && this.isOpen) this.sendIndicators(added);
  }

  unsubscribeIndicators(indicators: IndicatorSelection): void {
    const removed = this.indicatorInterest.remove(indicators);
    if (Object.keys(removed).length > 0 && this.isOpen) this.send({ action: 'unsubscribe', indicators: removed });
  }

  /** The indicator streams followed, symbols and names sorted. */
  get indicators(): IndicatorSelection {
    return this.indicatorInterest.selection();
  }

  /** Authenticates the current connection and every later one; `undefined` drops it (reconnects). */
  setToken(token: string | undefined): void {
    const had = this.token;
    this.token = token;
    if (token && this.isOpen) this.send({ action: 'auth', token });
    if (!token && had && this.isOpen) this.socket?.close(CLIENT_CLOSE_CODES.SIGNED_OUT, 'signed out');
  }

  private get isOpen(): boolean {
    return this.status === 'open' && this.socket !== undefined;
  }

  private open(): void {
    this.setStatus(this.opens === 0 ? 'connecting' : 'reconnecting', { attempt: this.attempt });
    const url = `${this.options.url}${this.options.url.includes('?') ? '&' : '?'}symbols=&batch=1`;
    let socket: SocketLike;
    try {
      socket = (this.options.create ?? platformSocket)(url);
    } catch (error) {
      this.closed({ code: 1006, reason: error instanceof Error ? error.message : String(error) });
      return;
    }
    this.socket = socket;
    socket.onopen = () => this.opened();
    socket.onmessage = (event) => this.received(event.data);
    socket.onerror = () => {};
    socket.onclose = (event) => {
      if (this.socket === socket) this.closed(event);
    };
  }

  private opened(): void {
    if (this.opens > 0) this.reconnects++;
    this.opens++;
    this.connectedAt = this.now();
    this.pending.clear();
    this.indicatorInterest.reset();
    this.snapshotDue.clear();
    this.status = 'open';
    if (this.token) this.send({ action: 'auth', token: this.token });
    if (this.wanted.has(ALL_SYMBOLS)) {
      // Every symbol: resume each one seen so far (a `since` key must be named in `symbols`).
      const since = Object.fromEntries(this.lastSeq);
      this.sendSubscribe([ALL_SYMBOLS, ...Object.keys(since)], since);
    } else if (this.wanted.size > 0) {
      const since: Record<string, number> = {};
      for (const s of this.wanted) {
        const seq = this.lastSeq.get(s);
        if (seq !== undefined) since[s] = seq;
      }
      this.sendSubscribe([...this.wanted], since);
    }
    if (this.indicatorInterest.size > 0) this.sendIndicators(this.indicatorInterest.selection());
    this.startPing();
    this.setStatus('open', { attempt: this.attempt });
  }

  private closed(event: { code: number; reason: string }): void {
    this.socket = undefined;
    this.connectedAt = undefined;
    this.stopPing();
    if (this.stopped) return;
    const advice = adviseOnClose(event.code);
    if (advice === 'terminal') {
      this.stopped = true;
      this.setStatus('closed', { attempt: this.attempt, code: event.code, reason: event.reason });
      this.events.terminated?.(event.code, event.reason);
      return;
    }
    if (advice === 'drop-token' && this.token !== undefined) {
      // Reconnecting with the same token would be refused again, forever.
      this.token = undefined;
      this.events.tokenRejected?.();
    }
    const delayMs = backoffDelay(this.attempt, this.options.backoff ?? DEFAULT_BACKOFF, this.random);
    this.attempt++;
    this.setStatus('reconnecting', { attempt: this.attempt, delayMs, code: event.code, reason: event.reason });
    this.retryTimer = this.timers.setTimeout(() => {
      if (!this.stopped) this.open();
    }, delayMs);
  }

  private received(data: unknown): void {
    this.framesReceived++;
    this.awaitingPong = false;
    const message = decodeServerMessage(String(data));
    if (!message) return;
    if (message.type === 'tick' || message.type === 'ticks') return this.ingest(ticksOf(message));
    this.control(message);
  }

  /** Positions only mean something in their epoch: a new one starts them afresh. */
  private enterEpoch(epoch: string): void {
    const previous = this.epochSeen;
    if (previous === epoch) return;
    this.epochSeen = epoch;
    if (previous === undefined) return;
    this.lastSeq.clear();
    this.events.epochChanged?.(previous, epoch);
  }

  private ingest(batch: readonly WireTick[]): void {
    const now = this.now();
    const accepted: WireTick[] = [];
    const live: WireTick[] = [];
    for (const tick of batch) {
      const symbol = tick.symbol;
      // A tick queued before an unsubscribe reached the server.
      if (!this.wanted.has(symbol) && !this.wanted.has(ALL_SYMBOLS)) continue;
      // The server's store changed epoch under a live connection (a wiped Redis).
      if (typeof tick.epoch === 'string') this.enterEpoch(tick.epoch);
      const last = this.lastSeq.get(symbol);
      if (last !== undefined) {
        // Within an epoch a seq at or below the last one is a duplicate (a replay overlapping live).
        if (tick.seq <= last) continue;
        if (tick.seq > last + 1) this.gaps++;
      }
      this.lastSeq.set(symbol, tick.seq);
      accepted.push(tick);
      if (!this.snapshotDue.delete(symbol)) live.push(tick);
    }
    this.ticksReceived += accepted.length;
    // Once something arrived, the connection works: the next failure starts the backoff afresh.
    this.attempt = 0;
    if (accepted.length > 0) this.events.ticks?.(accepted, now, live);
  }

  private control(message: ControlMessage | ({ type: string } & Record<string, unknown>)): void {
    if (!isKnownControl(message)) {
      this.events.message?.(message);
      return;
    }
    switch (message.type) {
      case 'subscribed': {
        this.attempt = 0;
        if (typeof message.epoch === 'string') this.enterEpoch(message.epoch);
        if (typeof message.id === 'string') this.pending.delete(message.id);
        for (const [symbol, ok] of Object.entries(message.recovered ?? {})) {
          // Not recovered: a fresh snapshot follows, the jump in seq is expected.
          if (!ok) this.lastSeq.delete(symbol);
          this.events.recovery?.(symbol, ok);
        }
        this.events.subscribed?.(message.symbols);
        return;
      }
      case 'pong':
        if (this.pingSentAt > 0) this.rttMs = this.now() - this.pingSentAt;
        return;
      case 'indicators_subscribed':
        if (typeof message.id === 'string') this.indicatorInterest.answered(message.id, false);
        this.events.indicatorsSubscribed?.(message.indicators);
        return;
      case 'indicator_snapshot':
        this.events.indicatorSnapshot?.(message);
        return;
      case 'indicator':
        // An update queued before an unsubscribe reached the server keeps only what is still wanted.
        for (const name of Object.keys(message.values)) if (!this.indicatorInterest.wants(message.symbol, message.interval, name)) return this.indicatorPart(message);
        this.events.indicator?.(message);
        return;
      case 'error': {
        const refused = typeof message.id === 'string' ? this.indicatorInterest.answered(message.id, true) : undefined;
        if (refused) {
          this.events.indicatorsRejected?.(refused, message.code, message.message);
          return;
        }
        const requested = typeof message.id === 'string' ? this.pending.get(message.id) : undefined;
        if (requested) {
          this.pending.delete(message.id as string);
          // UNKNOWN_SYMBOL names the refused ones; the others of the request were subscribed.
          const symbols = message.symbols ? requested.filter((s) => message.symbols!.includes(s)) : requested;
          for (const s of symbols) {
            this.wanted.delete(s);
            this.lastSeq.delete(s);
          }
          this.events.rejected?.(symbols, message.code, message.message);
        } else this.events.serverError?.(message.code, message.message);
        return;
      }
      case 'authenticated':
        this.events.authenticated?.(message.user);
        return;
      case 'alert':
        this.events.alert?.(message.alert, message.price, message.ts);
        return;
    }
  }

  /** The wanted part of an update some of whose indicators were unsubscribed meanwhile. */
  private indicatorPart(update: IndicatorUpdateMessage): void {
    const values = Object.fromEntries(Object.entries(update.values).filter(([name]) => this.indicatorInterest.wants(update.symbol, update.interval, name)));
    if (Object.keys(values).length > 0) this.events.indicator?.({ ...update, values });
  }

  private sendIndicators(indicators: IndicatorSelection): void {
    const id = `ind-${this.nextId++}`;
    this.indicatorInterest.sent(id, indicators);
    const limit = this.options.indicatorSnapshotLimit;
    this.send({ action: 'subscribe', indicators, ...(limit === undefined ? {} : { limit }), id });
  }

  private sendSubscribe(symbols: string[], since: Record<string, number>): void {
    const id = `sub-${this.nextId++}`;
    this.pending.set(id, symbols);
    for (const s of symbols) if (since[s] === undefined && s !== ALL_SYMBOLS) this.snapshotDue.add(s);
    const resume = Object.keys(since).length > 0 ? { since, ...(this.epochSeen ? { epoch: this.epochSeen } : {}) } : {};
    this.send({ action: 'subscribe', symbols, ...resume, id });
  }

  private send(message: ClientRequest): void {
    try {
      this.socket?.send(encodeClientMessage(message));
    } catch {
      // The socket is closing; `onclose` follows and the reconnect resends what matters.
    }
  }

  private startPing(): void {
    const every = this.options.pingEveryMs ?? 15_000;
    if (every <= 0) return;
    this.awaitingPong = false;
    const beat = (): void => {
      if (!this.isOpen) return;
      if (this.awaitingPong) {
        // Nothing came back since the last ping: the link is dead even if the socket says open.
        const socket = this.socket;
        if (socket) {
          detach(socket);
          socket.close(CLIENT_CLOSE_CODES.NO_PONG, 'no answer to ping');
        }
        this.closed({ code: CLIENT_CLOSE_CODES.NO_PONG, reason: 'no answer to ping' });
        return;
      }
      this.awaitingPong = true;
      this.pingSentAt = this.now();
      this.send({ action: 'ping' });
      this.pingTimer = this.timers.setTimeout(beat, every);
    };
    this.pingTimer = this.timers.setTimeout(beat, every);
  }

  private stopPing(): void {
    this.timers.clearTimeout(this.pingTimer);
    this.pingTimer = undefined;
  }

  private setStatus(status: ConnectionStatus, detail: { attempt: number; delayMs?: number; code?: number; reason?: string }): void {
    this.status = status;
    this.events.status?.(status, detail);
  }
}

function detach(socket: SocketLike): void {
  socket.onopen = null;
  socket.onmessage = null;
  socket.onclose = null;
  socket.onerror = null;
}

const CONTROL_TYPES: ReadonlySet<string> = new Set(['subscribed', 'error', 'pong', 'authenticated', 'alert', 'indicators_subscribed', 'indicator_snapshot', 'indicator']);

function isKnownControl(message: { type: string }): message is ControlMessage {
  return CONTROL_TYPES.has(message.type);
}
