import type { Socket } from 'socket.io';
import { Conflator } from '../../domain/conflator.js';
import type { SocketIoTick } from '../../protocol/socketio.js';
import { ConnectionState } from '../connection-state.js';
import { MessageRate } from '../message-rate.js';
import { SerialWork } from '../serial-work.js';
import type { Subscriber } from '../ws/subscriptions.js';

interface SymbolState {
  /** Highest `seq` queued to this client for the symbol: nothing at or below it is sent again. */
  lastSeq: number;
  /** Set while the snapshot is read: live ticks wait here so none is lost. */
  held: SocketIoTick[] | undefined;
  /** The newest tick queued for the symbol, repeated when the client subscribes to it again. */
  last: SocketIoTick | undefined;
}

/**
 * One Socket.IO connection: its symbols and position per symbol (the WebSocket session's join
 * rules, so the gateway's SubscriptionBook serves it), and the ticks waiting for the next flush.
 * Ticks are handed to Socket.IO once per turn of the event loop (events.ts), and only while the
 * connection keeps up; a client that falls behind gets the newest tick per symbol only
 * (conflation), so what waits here is at most one tick per symbol.
 */
export class SocketIoSession extends ConnectionState implements Subscriber {
  readonly symbols = new Map<string, SymbolState>();
  /** Requests, handled one at a time in order (serial-work.ts). */
  readonly work = new SerialWork();
  /** The client's message budget (message-rate.ts), as on the WebSocket. */
  readonly rate: MessageRate;
  private out: SocketIoTick[] = [];
  private conflator: Conflator<SocketIoTick> | undefined;
  /** A symbol was dropped since the last `take`: its queued ticks must not go out. */
  private droppedSome = false;

  constructor(
    readonly id: number,
    readonly ip: string,
    readonly socket: Socket,
    rate: { perSecond: number; burst: number },
    now: number,
  ) {
    // Like the reference bridge: every symbol until the client narrows.
    super(true);
    this.rate = new MessageRate(rate.perSecond, rate.burst, now);
  }

  get conflating(): boolean {
    return this.conflator !== undefined;
  }

  hold(symbol: string): void {
    const state = this.symbols.get(symbol);
    if (state) state.held ??= [];
    else this.symbols.set(symbol, { lastSeq: 0, held: [], last: undefined });
  }

  drop(symbol: string): void {
    if (this.symbols.delete(symbol)) this.droppedSome = true;
  }

  /**
   * Queues the newest tick already sent for a symbol the client asks for again, so every
   * `subscribe` is answered with the latest tick of each symbol (the stream itself is not
   * restarted: no gap). A tick of the symbol still waiting to go out is that answer already.
   * Returns whether one was queued.
   */
  repeatLatest(symbol: string): boolean {
    const state = this.symbols.get(symbol);
    const last = state?.held === undefined ? state?.last : undefined;
    if (last === undefined || this.closing || this.out.some((t) => t.symbol === symbol)) return false;
    if (this.conflator) this.conflator.add(symbol, last);
    else this.out.push(last);
    return true;
  }

  /** Queues the snapshot, then the live ticks that came meanwhile, without duplicates. */
  release(symbol: string, first: readonly SocketIoTick[]): void {
    const state = this.symbols.get(symbol);
    if (!state) return;
    const held = state.held ?? [];
    state.held = undefined;
    for (const t of first) this.offer(t);
    for (const t of held) this.offer(t);
  }

  /** 1 if queued, 0 if not (not subscribed, already sent, held), -1 if it replaced an older pending tick. */
  offer(tick: SocketIoTick): number {
    const state = this.symbols.get(tick.symbol);
    if (state === undefined || this.closing) return 0;
    if (state.held) {
      state.held.push(tick);
      return 0;
    }
    if (tick.seq <= state.lastSeq) return 0;
    state.lastSeq = tick.seq;
    state.last = tick;
    if (this.conflator) return this.conflator.add(tick.symbol, tick) ? -1 : 1;
    this.out.push(tick);
    return 1;
  }

  /** From now on only the newest tick per symbol is kept; ticks already queued are folded in. */
  startConflating(now: number): number {
    const conflator = new Conflator<SocketIoTick>();
    let replaced = 0;
    for (const t of this.out) if (conflator.add(t.symbol, t)) replaced++;
    this.out = [];
    this.conflator = conflator;
    this.conflatingFrom = now;
    return replaced;
  }

  /** Caught up: the newest tick of each symbol goes out, then every tick again. */
  stopConflating(): void {
    const conflator = this.conflator;
    this.conflator = undefined;
    if (conflator) for (const [, t] of conflator.drain()) this.out.push(t);
  }

  /** Ticks to emit now, in order (none while conflating: they wait in the conflator). */
  take(): SocketIoTick[] {
    const out = this.droppedSome ? this.out.filter((t) => this.symbols.has(t.symbol)) : this.out;
    this.out = [];
    this.droppedSome = false;
    return out;
  }

  /** Forgets what is queued (the client is gone); returns how many ticks that was. */
  discard(): number {
    const dropped = this.out.length + (this.conflator?.drain().length ?? 0);
    this.out = [];
    return dropped;
  }

  /** `["*"]` while following every symbol, else the symbols, sorted. */
  subscription(): string[] {
    return this.followsAll ? ['*'] : [...this.symbols.keys()].sort();
  }
}
