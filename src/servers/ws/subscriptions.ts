import type { Tick } from '../../domain/tick.js';
import { encodeTick } from '../../protocol/index.js';
import type { PriceStore } from '../../ports/price-store.js';
import { tickChannel, type PubSub } from '../../ports/pubsub.js';
import type { Session } from './session.js';
import { SymbolFeed, type FeedSink } from './symbol-feed.js';

export type SubscribeOutcome =
  /** `first`: the snapshot or replay per added symbol, to queue with `release` after the reply. */
  | { ok: true; recovered: Record<string, boolean>; first: Map<string, Tick[]> }
  | { ok: false; code: 'UNKNOWN_SYMBOL' | 'TOO_MANY_SYMBOLS'; message: string };

/**
 * Who is subscribed to what on one gateway, and the one upstream feed per symbol.
 * Joining a symbol: hold its live ticks, make sure the feed's upstream subscription is confirmed,
 * then read the snapshot (or the replay after `since`) from the store. Because the read happens
 * after the subscription, every tick accepted after the read also arrives live; the session's
 * per-symbol `seq` drops what both paths carry. No gap, no duplicate.
 */
export class SubscriptionBook {
  private readonly feeds = new Map<string, { feed: SymbolFeed; ready: Promise<void> }>();

  constructor(
    private readonly universe: ReadonlySet<string>,
    private readonly maxSymbols: number,
    private readonly store: PriceStore,
    private readonly pubsub: PubSub<Tick>,
    private readonly sink: FeedSink,
  ) {}

  /** `*` expands to every symbol; returns the unknown names, if any. */
  resolve(symbols: readonly string[]): { symbols: string[]; unknown: string[]; wildcard: boolean } {
    const wildcard = symbols.includes('*');
    if (wildcard) return { symbols: [...this.universe], unknown: [], wildcard };
    const unique = [...new Set(symbols)];
    return { symbols: unique.filter((s) => this.universe.has(s)), unknown: unique.filter((s) => !this.universe.has(s)), wildcard };
  }

  async subscribe(session: Session, requested: readonly string[], since: Readonly<Record<string, number>>): Promise<SubscribeOutcome> {
    const { symbols, unknown, wildcard } = this.resolve(requested);
    if (unknown.length > 0) return { ok: false, code: 'UNKNOWN_SYMBOL', message: `Unknown symbol(s): ${unknown.slice(0, 20).join(', ')}.` };
    const added = symbols.filter((s) => !session.symbols.has(s));
    if (!wildcard && session.symbols.size + added.length > this.maxSymbols) {
      return { ok: false, code: 'TOO_MANY_SYMBOLS', message: `At most ${this.maxSymbols} symbols per connection (or "*").` };
    }
    const recovered: Record<string, boolean> = {};
    for (const s of symbols) if (since[s] !== undefined && !added.includes(s)) recovered[s] = true;
    if (added.length === 0) return { ok: true, recovered, first: new Map() };

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
    return { ok: true, recovered, first };
  }

  /** Queues what `subscribe` read, then the live ticks held meanwhile. */
  release(session: Session, first: ReadonlyMap<string, readonly Tick[]>): void {
    for (const [symbol, ticks] of first) session.release(symbol, ticks.map((t) => ({ seq: t.seq, frame: Buffer.from(encodeTick(t)) })));
  }

  unsubscribe(session: Session, symbols: readonly string[]): void {
    for (const s of symbols) {
      if (!session.symbols.has(s)) continue;
      session.drop(s);
      this.leave(session, s);
    }
  }

  leaveAll(session: Session): void {
    this.unsubscribe(session, [...session.symbols.keys()]);
  }

  /** Called when pub/sub reconnected: every feed checks the store for what it missed. */
  resyncAll(): void {
    for (const { feed } of this.feeds.values()) feed.resync();
  }

  get feedCount(): number {
    return this.feeds.size;
  }

  private join(session: Session, symbol: string): Promise<void> {
    let entry = this.feeds.get(symbol);
    if (!entry) {
      const feed = new SymbolFeed(symbol, this.store, this.sink);
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

  private leave(session: Session, symbol: string): void {
    const entry = this.feeds.get(symbol);
    if (!entry) return;
    entry.feed.sessions.delete(session);
    if (entry.feed.sessions.size > 0) return;
    this.feeds.delete(symbol);
    void entry.ready.then(() => entry.feed.unsubscribe?.()).catch((error: unknown) => this.sink.failed(symbol, error));
  }
}
