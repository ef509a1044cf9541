import type { WebSocket } from 'ws';
import { Conflator } from '../../domain/conflator.js';
import { ConnectionState } from '../connection-state.js';
import { MessageRate } from '../message-rate.js';
import { SerialWork } from '../serial-work.js';
import { SessionAuth } from './session-auth.js';

/** A frame waiting to be written. `symbol` is set for ticks, which may be conflated and batched. */
interface Outgoing {
  readonly symbol: string | undefined;
  readonly frame: Buffer;
}

interface SymbolState {
  /** Highest `seq` queued to this client for the symbol: nothing at or below it is sent again. */
  lastSeq: number;
  /** Set while the snapshot or replay is being read: live ticks wait here so none is lost. */
  held: { seq: number; frame: Buffer }[] | undefined;
}

export interface SessionOptions {
  readonly batch: boolean;
  readonly messageRate: number;
  readonly messageBurst: number;
}

/** One WebSocket client: its subscriptions, its position per symbol, and what waits to be written. */
export class Session extends ConnectionState {
  readonly symbols = new Map<string, SymbolState>();
  private out: Outgoing[] = [];
  private conflator: Conflator<Buffer> | undefined;
  private heardFrom = true;
  /** Messages from the client, handled one at a time in order (serial-work.ts). */
  readonly work = new SerialWork();
  /** The client's message budget (message-rate.ts). */
  readonly rate: MessageRate;
  /** Who the client is, and what waits for it to authenticate (session-auth.ts). */
  readonly auth = new SessionAuth();

  constructor(
    readonly id: number,
    readonly ip: string,
    readonly ws: WebSocket,
    readonly options: SessionOptions,
    now: number,
  ) {
    super(false);
    this.rate = new MessageRate(options.messageRate, options.messageBurst, now);
  }

  get conflating(): boolean {
    return this.conflator !== undefined;
  }

  /** The peer was heard from: a message or a pong. */
  heard(): void {
    this.heardFrom = true;
  }

  /** For the heartbeat: whether the peer was heard from since the last ping; then waits for the next. */
  answeredPing(): boolean {
    const heard = this.heardFrom;
    this.heardFrom = false;
    return heard;
  }

  get hasPending(): boolean {
    return this.out.length > 0;
  }

  /** Starts a symbol in the held state; live ticks are kept until `release`. */
  hold(symbol: string): void {
    const state = this.symbols.get(symbol);
    if (state) state.held ??= [];
    else this.symbols.set(symbol, { lastSeq: 0, held: [] });
  }

  /** Queues the snapshot or replay, then the live ticks that came meanwhile, without duplicates. */
  release(symbol: string, first: readonly { seq: number; frame: Buffer }[]): void {
    const state = this.symbols.get(symbol);
    if (!state) return;
    const held = state.held ?? [];
    state.held = undefined;
    for (const t of first) this.offer(symbol, t.seq, t.frame);
    for (const t of held) this.offer(symbol, t.seq, t.frame);
  }

  drop(symbol: string): void {
    this.symbols.delete(symbol);
  }

  /**
   * A tick for this client. Returns 1 if queued, 0 if not (not subscribed, already sent or held),
   * -1 if it replaced an older pending tick of a conflated client.
   */
  offer(symbol: string, seq: number, frame: Buffer): number {
    const state = this.symbols.get(symbol);
    if (state === undefined) return 0;
    if (state.held) {
      state.held.push({ seq, frame });
      return 0;
    }
    if (seq <= state.lastSeq) return 0;
    state.lastSeq = seq;
    if (this.conflator) return this.conflator.add(symbol, frame) ? -1 : 1;
    this.out.push({ symbol, frame });
    return 1;
  }

  control(message: object): void {
    this.out.push({ symbol: undefined, frame: Buffer.from(JSON.stringify(message)) });
  }

  /** A user event (alert) frame: like control messages, never conflated or dropped while open. */
  event(frame: Buffer): void {
    this.out.push({ symbol: undefined, frame });
  }

  /** From now on only the newest tick per symbol is kept; ticks already queued are folded in. */
  startConflating(now: number): number {
    const conflator = new Conflator<Buffer>();
    const keep: Outgoing[] = [];
    let replaced = 0;
    for (const o of this.out) {
      if (o.symbol === undefined) keep.push(o);
      else if (conflator.add(o.symbol, o.frame)) replaced++;
    }
    this.out = keep;
    this.conflator = conflator;
    this.conflatingFrom = now;
    return replaced;
  }

  stopConflating(): void {
    const conflator = this.conflator;
    this.conflator = undefined;
    if (conflator) for (const [symbol, frame] of conflator.drain()) this.out.push({ symbol, frame });
  }

  /**
   * Frames to write now, in order. Clients that opted into batches get consecutive ticks as one
   * `{"type":"ticks","data":[…]}` frame; the tick JSON is reused, never re-serialised.
   */
  take(): Buffer[] {
    const out = this.out;
    this.out = [];
    if (!this.options.batch) return out.map((o) => o.frame);
    const frames: Buffer[] = [];
    let run: Buffer[] = [];
    const endRun = (): void => {
      if (run.length === 1) frames.push(run[0]!);
      else if (run.length > 1) frames.push(batchFrame(run));
      run = [];
    };
    for (const o of out) {
      if (o.symbol === undefined) {
        endRun();
        frames.push(o.frame);
      } else run.push(o.frame);
    }
    endRun();
    return frames;
  }

  /** Forgets what is queued (the client is closing); returns the number of ticks among it. */
  discard(): number {
    const ticks = this.out.filter((o) => o.symbol !== undefined).length + (this.conflator?.drain().length ?? 0);
    this.out = [];
    return ticks;
  }

  subscribedSymbols(): string[] {
    return [...this.symbols.keys()].sort();
  }
}

const BATCH_OPEN = Buffer.from('{"type":"ticks","data":[');
const BATCH_CLOSE = Buffer.from(']}');
const COMMA = Buffer.from(',');

function batchFrame(ticks: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [BATCH_OPEN];
  ticks.forEach((t, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(t);
  });
  parts.push(BATCH_CLOSE);
  return Buffer.concat(parts);
}
