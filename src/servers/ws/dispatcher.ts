import { WebSocket } from 'ws';
import { CLOSE_CODES } from '../../protocol/index.js';
import type { Tick } from '../../domain/tick.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import type { Session } from './session.js';
import type { FeedSink } from './symbol-feed.js';
import { writeFrames } from './frame-writer.js';
import { startSendSpan, type SendSpan } from '../../observability/tracing/ws-spans.js';

export interface DispatcherOptions {
  /** Unsent bytes past which a client is conflated. */
  readonly slowBytes: number;
  /** How long a client may stay conflated before it is closed. */
  readonly slowCloseMs: number;
  /** 0: flush on the next turn of the event loop; otherwise after this many ms (more batching). */
  readonly flushMs: number;
}

/** How long a slow client's close handshake may take before the socket is cut. */
const CLOSE_GRACE_MS = 5_000;

/**
 * Writes what sessions have queued. Ticks arriving in one turn of the event loop are written
 * together: one write per client, so several frames cost one syscall, and each tick's frame bytes
 * are built once for all its subscribers (frame-writer.ts). A client whose
 * socket buffer passes `slowBytes` is switched to conflation; once it drains below half of that it
 * gets the newest tick of each symbol and normal delivery resumes; if it stays behind past
 * `slowCloseMs` it is closed with 4000 SLOW_CONSUMER.
 */
export class Dispatcher implements FeedSink {
  private readonly dirty = new Set<Session>();
  private readonly conflating = new Set<Session>();
  private pendingAges: number[] = [];
  /** `ws send` spans of sampled ticks queued this turn; ended once their frames are written. */
  private sending: SendSpan[] | undefined;
  private scheduled = false;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: DispatcherOptions,
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

  delivered(tick: Tick, sessions: Iterable<Session>, frame: Buffer): void {
    let conflated = 0;
    for (const session of sessions) {
      const r = session.offer(tick.symbol, tick.seq, frame);
      if (r === 0) continue;
      if (r < 0) conflated++;
      else this.dirty.add(session);
    }
    this.metrics.gatewayTicksDelivered.inc();
    if (conflated > 0) this.metrics.wsTicksConflated.inc(conflated);
    const send = startSendSpan(tick, sessions, conflated);
    if (send) (this.sending ??= []).push(send);
    this.pendingAges.push(tick.ts);
    this.schedule();
  }

  gapFilled(): void {
    this.metrics.wsGapFills.inc();
  }

  failed(symbol: string, error: unknown): void {
    this.logger.error({ err: error, symbol }, 'reading the store for a symbol feed failed');
  }

  /** A session has a reply or snapshot to send. */
  touch(session: Session): void {
    this.dirty.add(session);
    this.schedule();
  }

  forget(session: Session): void {
    this.dirty.delete(session);
    this.conflating.delete(session);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    if (this.options.flushMs > 0) setTimeout(() => this.flush(), this.options.flushMs);
    else setImmediate(() => this.flush());
  }

  flush(): void {
    this.scheduled = false;
    const now = this.now();
    for (const ts of this.pendingAges) this.metrics.tickAgeAtSend.observe(Math.max(0, now - ts) / 1000);
    this.pendingAges = [];
    let frames = 0;
    for (const session of this.dirty) {
      const ws = session.ws;
      if (session.closing || ws.readyState !== WebSocket.OPEN) {
        const dropped = session.discard();
        if (dropped > 0) this.metrics.wsTicksDropped.inc(dropped);
        continue;
      }
      if (!session.conflating && ws.bufferedAmount > this.options.slowBytes) {
        const replaced = session.startConflating(now);
        this.conflating.add(session);
        if (replaced > 0) this.metrics.wsTicksConflated.inc(replaced);
        this.logger.debug({ conn: session.id, buffered: ws.bufferedAmount }, 'client is behind: conflating');
      }
      frames += write(session);
    }
    this.dirty.clear();
    if (frames > 0) this.metrics.wsFramesSent.inc(frames);
    if (this.sending) {
      for (const send of this.sending) send.end();
      this.sending = undefined;
    }
  }

  private sweep(): void {
    const now = this.now();
    for (const session of this.conflating) {
      const ws = session.ws;
      if (ws.readyState !== WebSocket.OPEN) {
        this.conflating.delete(session);
        continue;
      }
      if (ws.bufferedAmount <= this.options.slowBytes / 2) {
        session.stopConflating();
        this.conflating.delete(session);
        this.touch(session);
      } else if (now - session.conflatingSince > this.options.slowCloseMs) {
        this.conflating.delete(session);
        session.markClosing();
        this.metrics.wsSlowConsumerCloses.inc();
        this.logger.info({ conn: session.id, ip: session.ip }, 'closing slow consumer');
        ws.close(CLOSE_CODES.SLOW_CONSUMER, 'SLOW_CONSUMER');
        setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
      }
    }
  }
}

/** Writes a session's queued frames in one burst (one write for all of them); returns their number. */
function write(session: Session): number {
  const frames = session.take();
  if (frames.length === 0) return 0;
  writeFrames(session.ws, frames);
  return frames.length;
}
