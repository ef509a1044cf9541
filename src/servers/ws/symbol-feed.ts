import type { Tick } from '../../domain/tick.js';
import { encodeTick } from '../../protocol/index.js';
import type { PriceStore } from '../../ports/price-store.js';
import type { Unsubscribe } from '../../ports/pubsub.js';
import type { Session } from './session.js';

/** Whatever a feed's subscribers are: WebSocket sessions here, gRPC streams in servers/grpc. */
export interface FeedSink<S = Session> {
  /** Called once per delivered tick with its frame, encoded once for all subscribers. */
  delivered(tick: Tick, sessions: Iterable<S>, frame: Buffer): void;
  gapFilled(): void;
  failed(symbol: string, error: unknown): void;
}

/**
 * The gateway's single upstream subscription for one symbol, shared by all its clients.
 * Pub/sub is at-most-once: if a tick arrives whose `seq` is past the next one expected, the missing
 * ticks are read from the store and delivered first (live ticks wait meanwhile), so clients see no
 * gap. A tick at or below the last delivered `seq` is a late duplicate and is dropped.
 */
export class SymbolFeed<S = Session> {
  readonly sessions = new Set<S>();
  unsubscribe: Unsubscribe | undefined;
  private lastSeq: number | undefined;
  private waiting: Tick[] | undefined;

  constructor(
    readonly symbol: string,
    private readonly store: PriceStore,
    private readonly sink: FeedSink<S>,
    /** The stream epoch each frame names (SubscriptionBook keeps it current). */
    private readonly epoch: () => string,
  ) {}

  /**
   * Sets where the stream stands once the upstream subscription is confirmed (the store's latest
   * `seq`, 0 if none), so even the first live tick is checked for a gap.
   */
  begin(seq: number): void {
    this.lastSeq = Math.max(this.lastSeq ?? 0, seq);
  }

  onTick(tick: Tick): void {
    if (this.waiting) {
      this.waiting.push(tick);
      return;
    }
    if (this.lastSeq !== undefined) {
      if (tick.seq <= this.lastSeq) return;
      if (tick.seq > this.lastSeq + 1) {
        this.fill([tick]);
        return;
      }
    }
    this.deliver(tick);
  }

  /** After a pub/sub reconnect: whatever was published during the outage is read from the store. */
  resync(): void {
    if (!this.waiting && this.lastSeq !== undefined) this.fill([]);
  }

  private fill(waiting: Tick[]): void {
    const after = this.lastSeq!;
    this.waiting = waiting;
    this.sink.gapFilled();
    this.store
      .since(this.symbol, after)
      .then(
        ({ ticks }) => {
          for (const t of ticks) if (t.seq > (this.lastSeq ?? 0)) this.deliver(t);
        },
        (error: unknown) => this.sink.failed(this.symbol, error),
      )
      .finally(() => {
        const queued = this.waiting ?? [];
        this.waiting = undefined;
        // No second fill for these: what the store did not have was never accepted.
        for (const t of queued) if (t.seq > (this.lastSeq ?? 0)) this.deliver(t);
      });
  }

  private deliver(tick: Tick): void {
    this.lastSeq = tick.seq;
    this.sink.delivered(tick, this.sessions, Buffer.from(encodeTick(tick, this.epoch())));
  }
}
