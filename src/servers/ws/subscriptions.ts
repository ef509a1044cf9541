import type { Tick } from '../../domain/tick.js';
import { encodeTick } from '../../protocol/index.js';
import type { PriceStore } from '../../ports/price-store.js';
import { tickChannel, type PubSub } from '../../ports/pubsub.js';
import type { Session } from './session.js';
import { SymbolFeed, type FeedSink } from './symbol-feed.js';

export type SubscribeOutcome =
  /** `first`: the snapshot or replay per added symbol, to queue with `release` after the reply. */
  | { ok: true; recovered: Record<string, boolean>; first: Map<string, Tick[]>; epoch: string }
  | { ok: false; code: 'UNKNOWN_SYMBOL' | 'TOO_MANY_SYMBOLS'; message: string };

/**
 * What the book needs of a subscriber: its symbols, and a held state per symbol while the snapshot
 * is read (live ticks wait meanwhile). WebSocket sessions are one kind; gRPC streams another.
 */
export interface Subscriber {
  readonly symbols: ReadonlyMap<string, unknown>;
  hold(symbol: string): void;
  drop(symbol: string): void;
}

/**
 * Who is subscribed to what on one gateway, and the one upstream feed per symbol.
 * Joining a symbol: hold its live ticks, make sure the feed's upstream subscription is confirmed,
 * then read the snapshot (or the replay after `since`) from the store. Because the read happens
 * after the subscription, every tick accepted after the read also arrives live; the session's
 * per-symbol `seq` drops what both paths carry. No gap, no duplicate.
 *
 * A `since` counts only in the stream epoch it was seen in (PriceStore.epoch): a resume that names
 * another epoch, or none while the store's epoch changed under a client, gets a fresh snapshot and
 * `recovered:false`, because the same `seq` may now be a different tick.
 */
export class SubscriptionBook<S extends Subscriber = Session> {
  private readonly feeds = new Map<string, { feed: SymbolFeed<S>; ready: Promise<void> }>();
  /** The store's epoch as last read; every tick frame carries it. */
  private current = '';

  constructor(
    private readonly universe: ReadonlySet<string>,
    private readonly maxSymbols: number,
    private readonly store: PriceStore,
    private readonly pubsub: PubSub<Tick>,
    private readonly sink: FeedSink<S>,
  ) {}

  /** `*` expands to every symbol; returns the unknown names, if any. */
  resolve(symbols: readonly string[]): { symbols: string[]; unknown: string[]; wildcard: boolean } {
    const wildcard = symbols.includes('*');
    if (wildcard) return { symbols: [...this.universe], unknown: [], wildcard };
    const unique = [...new Set(symbols)];
    return { symbols: unique.filter((s) => this.universe.has(s)), unknown: unique.filter((s) => !this.universe.has(s)), wildcard };
  }

  /** The stream epoch as last read from the store. */
  get epoch(): string {
    return this.current;
  }

  /** Reads the store's epoch; after a wiped Redis it is a new one and frames carry that from now on. */
  async refreshEpoch(): Promise<string> {
    this.current = await this.store.epoch();
    return this.current;
  }

  async subscribe(session: S, requested: readonly string[], asked: Readonly<Record<string, number>>, clientEpoch?: string): Promise<SubscribeOutcome> {
    const { symbols, unknown, wildcard } = this.resolve(requested);
    if (unknown.length > 0) return { ok: false, code: 'UNKNOWN_SYMBOL', message: `Unknown symbol(s): ${unknown.slice(0, 20).join(', ')}.` };
    const added = symbols.filter((s) => !session.symbols.has(s));
    if (!wildcard && session.symbols.size + added.length > this.maxSymbols) {
      return { ok: false, code: 'TOO_MANY_SYMBOLS', message: `At most ${this.maxSymbols} symbols per connection (or "*").` };
    }
    // A resume is checked against the store's epoch as it is now; otherwise the cached one will do.
    const resuming = Object.keys(asked).length > 0;
    const epoch = resuming || this.current === '' ? await this.refreshEpoch() : this.current;
    const sameEpoch = clientEpoch === undefined || clientEpoch === epoch;
    const since = sameEpoch ? asked : {};
    const recovered: Record<string, boolean> = {};
    for (const s of symbols) if (asked[s] !== undefined && !added.includes(s)) recovered[s] = sameEpoch;
    for (const s of added) if (asked[s] !== undefined && !sameEpoch) recovered[s] = false;
    if (added.length === 0) return { ok: true, recovered, first: new Map(), epoch };

    for (const s of added) session.hold(s);
    await Promise.all(added.map((s) => this.join(session, s)));
    const fresh = added.filter((s) => since[s] === undefined);
    const resumed = added.filter((s) => since[s] !== undefined);
    const [snapshots, replays] = await Promise.all([
      this.store.latestMany(fresh),
      Promise.all(resumed.map((s) => this.store.since(s, since[s]!))),
    ]);
    const first = new Map<string, Tick[]>();
    fresh.forEach((s, i) => first.set(s, snapshots[i] ? [snapshots[i]!] : []));
    const missingSnapshot: string[] = [];
    resumed.forEach((s, i) => {
      const replay = replays[i]!;
      recovered[s] = replay.complete;
      if (replay.complete) first.set(s, replay.ticks);
      else missingSnapshot.push(s);
    });
    // Not recoverable from history: a fresh snapshot, and the client is told.
    if (missingSnapshot.length > 0) {
      const latest = await this.store.latestMany(missingSnapshot);
      missingSnapshot.forEach((s, i) => first.set(s, latest[i] ? [latest[i]!] : []));
    }
    return { ok: true, recovered, first, epoch };
  }

  /** Queues what `subscribe` read, then the live ticks held meanwhile. */
  release(session: Session, first: ReadonlyMap<string, readonly Tick[]>): void {
    for (const [symbol, ticks] of first) session.release(symbol, ticks.map((t) => ({ seq: t.seq, frame: Buffer.from(encodeTick(t, this.current)) })));
  }

  unsubscribe(session: S, symbols: readonly string[]): void {
    for (const s of symbols) {
      if (!session.symbols.has(s)) continue;
      session.drop(s);
      this.leave(session, s);
    }
  }

  leaveAll(session: S): void {
    this.unsubscribe(session, [...session.symbols.keys()]);
  }

  /** Called when pub/sub reconnected: every feed checks the store for what it missed. */
  resyncAll(): void {
    // Redis may have been wiped while we were away: new frames must name the epoch it has now.
    void this.refreshEpoch().catch((error: unknown) => this.sink.failed('*', error));
    for (const { feed } of this.feeds.values()) feed.resync();
  }

  private join(session: S, symbol: string): Promise<void> {
    let entry = this.feeds.get(symbol);
    if (!entry) {
      const feed = new SymbolFeed<S>(symbol, this.store, this.sink, () => this.current);
      const ready = this.pubsub
        .subscribe(tickChannel(symbol), (t) => feed.onTick(t))
        .then((unsubscribe) => {
          feed.unsubscribe = unsubscribe;
          return this.store.latest(symbol);
        })
        .then((latest) => feed.begin(latest?.seq ?? 0));
      entry = { feed, ready };
      this.feeds.set(symbol, entry);
    }
    entry.feed.sessions.add(session);
    return entry.ready;
  }

  private leave(session: S, symbol: string): void {
    const entry = this.feeds.get(symbol);
    if (!entry) return;
    entry.feed.sessions.delete(session);
    if (entry.feed.sessions.size > 0) return;
    this.feeds.delete(symbol);
    void entry.ready.then(() => entry.feed.unsubscribe?.()).catch((error: unknown) => this.sink.failed(symbol, error));
  }
}
