import type { ServerWritableStream } from '@grpc/grpc-js';
import { Conflator } from '../../domain/conflator.js';
import type { Tick } from '../../domain/tick.js';
import { SerialWork } from '../serial-work.js';
import type { Subscriber } from '../ws/subscriptions.js';
import { tickMessage } from './messages.js';

interface SymbolState {
  /** Highest `seq` queued for the symbol: nothing at or below it is sent again. */
  lastSeq: number;
  /** Set while the snapshot or replay is read: live ticks wait here so none is lost. */
  held: Tick[] | undefined;
}

export interface TickStreamOptions {
  /** Queued bytes (estimated) past which the stream is conflated: WS_SLOW_BYTES. */
  readonly slowBytes: number;
  /** How long it may stay conflated before it is ended with SLOW_CONSUMER: WS_SLOW_CLOSE_MS. */
  readonly slowCloseMs: number;
  /** Tells the owner a tick was folded into a newer one, or the stream stayed behind too long. */
  readonly onConflated: (count: number) => void;
  readonly onTooSlow: (stream: TickStream) => void;
}

/**
 * A protobuf tick is 40 to 70 bytes; grpc-js keeps the JavaScript object until it is written.
 * Queued ticks are counted at this size against WS_SLOW_BYTES.
 */
const TICK_BYTES = 128;

type Outgoing = { readonly tick: Tick } | { readonly message: object };

/**
 * One StreamTicks call: its symbols and position per symbol (the same join rules as a WebSocket
 * session, so SubscriptionBook serves both), and the write path with backpressure. grpc-js buffers
 * whatever is written; `write()` answering false means the peer (HTTP/2 flow control) is behind, so
 * from then on messages wait in this stream's own queue until `drain`. If that queue passes
 * `slowBytes`, ticks are conflated to the newest per symbol (as the WebSocket gateway does), and a
 * stream still behind after `slowCloseMs` is ended. Memory per stream stays bounded either way.
 */
export class TickStream implements Subscriber {
  readonly symbols = new Map<string, SymbolState>();
  /** Joins (the request, symbols that join later) run one at a time, in order (serial-work.ts). */
  readonly work = new SerialWork();
  private closedFlag = false;
  private queue: Outgoing[] = [];
  private blocked = false;
  private conflator: Conflator<Tick> | undefined;
  private slowTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly id: number,
    readonly ip: string,
    readonly call: ServerWritableStream<unknown, unknown>,
    /** Subscribed with `*`: symbols that join the universe later are added too. */
    readonly followsAll: boolean,
    private readonly epoch: () => string,
    private readonly options: TickStreamOptions,
  ) {
    call.on('drain', () => this.drained());
  }

  /** True once the call ended or is being ended: nothing more is written. */
  get closed(): boolean {
    return this.closedFlag;
  }

  hold(symbol: string): void {
    const state = this.symbols.get(symbol);
    if (state) state.held ??= [];
    else this.symbols.set(symbol, { lastSeq: 0, held: [] });
  }

  drop(symbol: string): void {
    this.symbols.delete(symbol);
  }

  /** Queues the snapshot or replay, then the live ticks that came meanwhile, without duplicates. */
  release(symbol: string, first: readonly Tick[]): void {
    const state = this.symbols.get(symbol);
    if (!state) return;
    const held = state.held ?? [];
    state.held = undefined;
    for (const t of first) this.offer(t);
    for (const t of held) this.offer(t);
  }

  /** A live or first tick for this stream; dropped if not subscribed or already sent. */
  offer(tick: Tick): void {
    const state = this.symbols.get(tick.symbol);
    if (state === undefined || this.closed) return;
    if (state.held) {
      state.held.push(tick);
      return;
    }
    if (tick.seq <= state.lastSeq) return;
    state.lastSeq = tick.seq;
    if (this.conflator) {
      if (this.conflator.add(tick.symbol, tick)) this.options.onConflated(1);
      return;
    }
    this.send({ tick });
  }

  /** A message that is never conflated (the `subscribed` reply). */
  control(message: object): void {
    this.send({ message });
  }

  subscribedSymbols(): string[] {
    return [...this.symbols.keys()].sort();
  }

  /** Stops writing and forgets what is queued (the call ended or is being ended). */
  close(): void {
    this.closedFlag = true;
    this.queue = [];
    this.conflator = undefined;
    clearTimeout(this.slowTimer);
  }

  private send(out: Outgoing): void {
    if (this.blocked) {
      this.queue.push(out);
      if (this.queue.length * TICK_BYTES > this.options.slowBytes) this.startConflating();
      return;
    }
    this.write(out);
  }

  private write(out: Outgoing): void {
    const message = 'tick' in out ? { tick: tickMessage(out.tick, this.epoch()) } : out.message;
    if (!this.call.write(message)) this.blocked = true;
  }

  private drained(): void {
    if (this.closed) return;
    this.blocked = false;
    if (this.conflator) {
      // Caught up: the newest tick of each symbol, then normal delivery again.
      const latest = this.conflator.drain();
      this.conflator = undefined;
      clearTimeout(this.slowTimer);
      for (const [, tick] of latest) this.queue.push({ tick });
    }
    let sent = 0;
    while (sent < this.queue.length && !this.blocked) this.write(this.queue[sent++]!);
    this.queue = sent === this.queue.length ? [] : this.queue.slice(sent);
  }

  private startConflating(): void {
    const conflator = new Conflator<Tick>();
    const keep: Outgoing[] = [];
    let replaced = 0;
    for (const out of this.queue) {
      if (!('tick' in out)) keep.push(out);
      else if (conflator.add(out.tick.symbol, out.tick)) replaced++;
    }
    this.queue = keep;
    this.conflator = conflator;
    if (replaced > 0) this.options.onConflated(replaced);
    this.slowTimer = setTimeout(() => {
      if (this.conflator && !this.closed) this.options.onTooSlow(this);
    }, this.options.slowCloseMs);
  }
}
