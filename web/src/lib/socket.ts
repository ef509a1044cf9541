import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import type { Alert, ControlMessage, Tick, User } from './types.js';

/** What this client needs of a WebSocket; the browser's, `ws`'s or a test fake. */
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

export interface TickSocketEvents {
  /**
   * Ticks in arrival order, after per-symbol `seq` checks, with the receipt time. `live` leaves out
   * the snapshot sent on subscribe (the latest tick, however old), for latency figures.
   */
  ticks?(ticks: Tick[], receivedAt: number, live: Tick[]): void;
  status?(status: ConnectionStatus, detail: { attempt: number; delayMs?: number; code?: number; reason?: string }): void;
  /** The server's acknowledgement: the full subscription set. */
  subscribed?(symbols: string[]): void;
  /** After a resume with `since`: false means history did not reach back, a snapshot was sent instead. */
  recovery?(symbol: string, recovered: boolean): void;
  /** A symbol's `seq` went back after a reconnect: the source restarted its sequence. */
  sequenceReset?(symbol: string, lastSeq: number, seq: number): void;
  /** A subscribe the server refused whole (e.g. UNKNOWN_SYMBOL): these symbols are no longer wanted. */
  rejected?(symbols: string[], code: string, message: string): void;
  serverError?(code: string, message: string): void;
  authenticated?(user: User): void;
  alert?(alert: Alert, price: number, ts: number): void;
  order?(message: Record<string, unknown>): void;
}

export interface TickSocketOptions {
  /** The gateway, e.g. `ws://localhost:8080/ws`. */
  readonly url: string;
  readonly symbols: readonly string[];
  readonly create: (url: string) => SocketLike;
  readonly events?: TickSocketEvents;
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

/**
 * The dashboard's connection to the gateway (protocol v1). Keeps the wanted symbols and the last
 * `seq` seen per symbol; when the link drops it reconnects with exponential backoff and jitter and
 * resubscribes with `since`, so the server replays what was missed: no hole, no duplicate.
 * Opts into batched frames (`batch=1`). Knows nothing of the DOM: the socket factory, timers,
 * clock and randomness are injected.
 */
export class TickSocket {
  private socket: SocketLike | undefined;
  private readonly wanted = new Set<string>();
  private readonly lastSeq = new Map<string, number>();
  /** The stream epoch `lastSeq` belongs to; a resume names it so the server can tell a restart. */
  private epoch: string | undefined;
  /** Symbols that had a tick on the current connection. */
  private readonly seenHere = new Set<string>();
  private readonly pending = new Map<string, string[]>();
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
  private readonly events: TickSocketEvents;

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

  constructor(private readonly options: TickSocketOptions) {
    for (const s of options.symbols) this.wanted.add(s.toUpperCase());
    this.token = options.token;
    this.timers = options.timers ?? defaultTimers;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.events = options.events ?? {};
  }

  get symbols(): string[] {
    return [...this.wanted].sort();
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
      socket.close(1000, 'client closed');
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

  /** Authenticates the current connection and every later one; `undefined` drops it (reconnects). */
  setToken(token: string | undefined): void {
    const had = this.token;
    this.token = token;
    if (token && this.isOpen) this.send({ action: 'auth', token });
    if (!token && had && this.isOpen) this.socket?.close(4001, 'signed out');
  }

  private get isOpen(): boolean {
    return this.status === 'open' && this.socket !== undefined;
  }

  private open(): void {
    this.setStatus(this.opens === 0 ? 'connecting' : 'reconnecting', { attempt: this.attempt });
    const url = `${this.options.url}${this.options.url.includes('?') ? '&' : '?'}symbols=&batch=1`;
    let socket: SocketLike;
    try {
      socket = this.options.create(url);
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
    this.seenHere.clear();
    this.pending.clear();
    this.snapshotDue.clear();
    this.status = 'open';
    if (this.token) this.send({ action: 'auth', token: this.token });
    if (this.wanted.size > 0) {
      const since: Record<string, number> = {};
      for (const s of this.wanted) {
        const seq = this.lastSeq.get(s);
        if (seq !== undefined) since[s] = seq;
      }
      this.sendSubscribe([...this.wanted], since);
    }
    this.startPing();
    this.setStatus('open', { attempt: this.attempt });
  }

  private closed(event: { code: number; reason: string }): void {
    this.socket = undefined;
    this.connectedAt = undefined;
    this.stopPing();
    if (this.stopped) return;
    const delayMs = backoffDelay(this.attempt, this.random, this.options.backoff ?? DEFAULT_BACKOFF);
    this.attempt++;
    this.setStatus('reconnecting', { attempt: this.attempt, delayMs, code: event.code, reason: event.reason });
    this.retryTimer = this.timers.setTimeout(() => {
      if (!this.stopped) this.open();
    }, delayMs);
  }

  private received(data: unknown): void {
    this.framesReceived++;
    this.awaitingPong = false;
    let message: { type?: unknown; data?: unknown };
    try {
      message = JSON.parse(String(data)) as { type?: unknown };
    } catch {
      return;
    }
    if (message.type === 'tick') return this.ingest([message as unknown as Tick]);
    if (message.type === 'ticks' && Array.isArray(message.data)) return this.ingest(message.data as Tick[]);
    this.control(message as ControlMessage);
  }

  private ingest(batch: readonly Tick[]): void {
    const now = this.now();
    const accepted: Tick[] = [];
    const live: Tick[] = [];
    for (const tick of batch) {
      const symbol = tick.symbol;
      // A tick queued before an unsubscribe reached the server.
      if (!this.wanted.has(symbol)) continue;
      const last = this.lastSeq.get(symbol);
      const first = !this.seenHere.has(symbol);
      this.seenHere.add(symbol);
      if (last !== undefined) {
        if (tick.seq <= last) {
          // Within one connection the server never goes back; across a reconnect it means a reset.
          if (!first) continue;
          this.events.sequenceReset?.(symbol, last, tick.seq);
        } else if (tick.seq > last + 1) this.gaps++;
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

  private control(message: ControlMessage): void {
    switch (message.type) {
      case 'subscribed': {
        this.attempt = 0;
        if (typeof message.epoch === 'string') this.epoch = message.epoch;
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
      case 'error': {
        const symbols = typeof message.id === 'string' ? this.pending.get(message.id) : undefined;
        if (symbols) {
          this.pending.delete(message.id as string);
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
      case 'order':
        this.events.order?.(message);
        return;
    }
  }

  private sendSubscribe(symbols: string[], since: Record<string, number>): void {
    const id = `sub-${this.nextId++}`;
    this.pending.set(id, symbols);
    for (const s of symbols) if (since[s] === undefined) this.snapshotDue.add(s);
    const resume = Object.keys(since).length > 0 ? { since, ...(this.epoch ? { epoch: this.epoch } : {}) } : {};
    this.send({ action: 'subscribe', symbols, ...resume, id });
  }

  private send(message: object): void {
    try {
      this.socket?.send(JSON.stringify(message));
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
          socket.close(4000, 'no answer to ping');
        }
        this.closed({ code: 4000, reason: 'no answer to ping' });
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
