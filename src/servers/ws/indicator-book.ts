import { indicatorNames, type IndicatorSpec, type IndicatorValues } from '../../domain/analytics/catalogue.js';
import type { IndicatorPoint } from '../../domain/analytics/symbol-analytics.js';
import type { CandleInterval } from '../../domain/candles.js';
import type { PriceStore } from '../../ports/price-store.js';
import { indicatorChannel, type PubSub, type Unsubscribe } from '../../ports/pubsub.js';
import {
  indicatorSnapshotMessage,
  indicatorStreamName,
  indicatorUpdateMessage,
  seriesOf,
  type IndicatorRequest,
  type IndicatorSelection,
  type IndicatorSnapshotMessage,
} from '../../protocol/index.js';
import type { Session } from './session.js';

export interface IndicatorFeedOptions {
  readonly pubsub: PubSub<readonly IndicatorPoint[]>;
  /** What the analytics role computes: other names are UNKNOWN_INDICATOR. */
  readonly spec: IndicatorSpec;
  /** Streams (symbol × interval × indicator) one connection may hold (WS_MAX_INDICATORS). */
  readonly maxStreams: number;
  /** Candles per stream a snapshot reaches back at most: what the store keeps (ANALYTICS_HISTORY_LIMIT). */
  readonly maxSnapshot: number;
}

export type IndicatorOutcome =
  | { ok: true; snapshots: IndicatorSnapshotMessage[]; symbols: string[] }
  | { ok: false; code: 'UNKNOWN_SYMBOL' | 'UNKNOWN_INDICATOR' | 'TOO_MANY_INDICATORS'; message: string; symbols?: string[] };

/** One connection's indicator streams: symbol → interval → indicator names. */
interface Interest {
  readonly streams: Map<string, Map<CandleInterval, Set<string>>>;
  /** Updates that came while a symbol's snapshot was read; sent after it. */
  readonly held: Map<string, (readonly IndicatorPoint[])[]>;
  /** Candles per stream of the last snapshot asked for: a resync after a pub/sub outage sends as many. */
  limit: number;
}

/** Where frames go: queued on the session, then the dispatcher is told to write. */
export type IndicatorSink = (session: Session, message: object) => void;

/**
 * Who follows which indicator streams on one gateway, and one upstream subscription per symbol
 * (`indicators.<SYMBOL>`, reference-counted like tick feeds) however many connections want it.
 *
 * Joining: the symbol's updates are held for the connection, the upstream subscription is
 * confirmed, then the snapshot is read from the store; the updates held meanwhile follow it. An
 * update carries a candle's values as they are, so one computed before the read and delivered
 * after it repeats what the snapshot said, at worst for a moment an older state of that candle
 * that the next update replaces. Pub/sub is at-most-once: after it reconnects, every connection
 * gets fresh snapshots of its streams.
 */
export class IndicatorBook {
  private readonly interest = new Map<Session, Interest>();
  private readonly feeds = new Map<string, { sessions: Set<Session>; ready: Promise<Unsubscribe | undefined> }>();
  private readonly known: ReadonlySet<string>;

  constructor(
    private readonly options: IndicatorFeedOptions,
    private readonly universe: ReadonlySet<string>,
    private readonly store: PriceStore,
    private readonly send: IndicatorSink,
    private readonly failed: (error: unknown) => void,
  ) {
    this.known = new Set(indicatorNames(options.spec));
  }

  /** Every stream the connection holds, symbols and names sorted: the body of `indicators_subscribed`. */
  selection(session: Session): IndicatorSelection {
    const out: IndicatorSelection = {};
    const streams = this.interest.get(session)?.streams;
    for (const symbol of [...(streams?.keys() ?? [])].sort()) {
      const names: string[] = [];
      for (const [interval, set] of streams!.get(symbol)!) for (const name of set) names.push(indicatorStreamName({ interval, name }));
      out[symbol] = names.sort();
    }
    return out;
  }

  /** Checks a request against the universe and the computed indicators; undefined when it is good. */
  private check(request: IndicatorRequest): Extract<IndicatorOutcome, { ok: false }> | undefined {
    const unknownSymbols = [...request.keys()].filter((s) => !this.universe.has(s));
    if (unknownSymbols.length > 0) return { ok: false, code: 'UNKNOWN_SYMBOL', message: `Unknown symbol(s): ${unknownSymbols.slice(0, 20).join(', ')}; nothing was changed.`, symbols: unknownSymbols };
    for (const streams of request.values()) {
      const bad = streams.find((s) => !this.known.has(s.name));
      if (bad) return { ok: false, code: 'UNKNOWN_INDICATOR', message: `Indicator ${bad.name} is not computed here; known: ${[...this.known].join(', ')}. Nothing was changed.` };
    }
    return undefined;
  }

  /**
   * Adds the streams (all or none) and reads their snapshots: one per symbol and interval named,
   * `limit` candles each (0: none). Call `release` once the reply and snapshots are queued.
   */
  async subscribe(session: Session, request: IndicatorRequest, limit: number, id: unknown): Promise<IndicatorOutcome> {
    const refused = this.check(request);
    if (refused) return refused;
    const interest = this.interestOf(session);
    let added = 0;
    for (const [symbol, streams] of request) for (const s of streams) if (!interest.streams.get(symbol)?.get(s.interval)?.has(s.name)) added++;
    const held = this.count(interest);
    if (held + added > this.options.maxStreams) {
      return { ok: false, code: 'TOO_MANY_INDICATORS', message: `At most ${this.options.maxStreams} indicator streams per connection; this one holds ${held}.` };
    }
    interest.limit = Math.min(limit, this.options.maxSnapshot);
    const symbols = [...request.keys()];
    for (const [symbol, streams] of request) {
      let byInterval = interest.streams.get(symbol);
      if (!byInterval) interest.streams.set(symbol, (byInterval = new Map()));
      for (const s of streams) {
        let names = byInterval.get(s.interval);
        if (!names) byInterval.set(s.interval, (names = new Set()));
        names.add(s.name);
      }
      if (!interest.held.has(symbol)) interest.held.set(symbol, []);
    }
    await Promise.all(symbols.map((symbol) => this.join(session, symbol)));
    const snapshots: IndicatorSnapshotMessage[] = [];
    if (interest.limit > 0) {
      for (const [symbol, streams] of request) {
        const intervals = [...new Set(streams.map((s) => s.interval))];
        const read = await Promise.all(intervals.map((interval) => this.store.indicators(symbol, interval, interest.limit)));
        intervals.forEach((interval, i) => {
          const names = streams.filter((s) => s.interval === interval).map((s) => s.name);
          snapshots.push(indicatorSnapshotMessage(symbol, interval, seriesOf(read[i]!, names), id));
        });
      }
    }
    return { ok: true, snapshots, symbols };
  }

  /** Sends the updates held while `subscribe` read the snapshots, and delivers live from now on. */
  release(session: Session, symbols: readonly string[]): void {
    const interest = this.interest.get(session);
    if (!interest) return;
    for (const symbol of symbols) {
      const held = interest.held.get(symbol) ?? [];
      interest.held.delete(symbol);
      for (const points of held) this.deliver(session, interest, points);
    }
  }

  /** Removes the streams named (ones not held are ignored); all or none, like subscribe. */
  unsubscribe(session: Session, request: IndicatorRequest): Extract<IndicatorOutcome, { ok: false }> | undefined {
    const refused = this.check(request);
    if (refused) return refused;
    const interest = this.interest.get(session);
    if (!interest) return undefined;
    for (const [symbol, streams] of request) {
      const byInterval = interest.streams.get(symbol);
      if (!byInterval) continue;
      for (const s of streams) {
        const names = byInterval.get(s.interval);
        names?.delete(s.name);
        if (names?.size === 0) byInterval.delete(s.interval);
      }
      if (byInterval.size > 0) continue;
      interest.streams.delete(symbol);
      interest.held.delete(symbol);
      this.leave(session, symbol);
    }
    if (interest.streams.size === 0) this.interest.delete(session);
    return undefined;
  }

  leaveAll(session: Session): void {
    const interest = this.interest.get(session);
    if (!interest) return;
    this.interest.delete(session);
    for (const symbol of interest.streams.keys()) this.leave(session, symbol);
  }

  /** After pub/sub reconnected: updates may have been lost, so every connection gets fresh snapshots. */
  resyncAll(): void {
    for (const [session, interest] of this.interest) {
      if (interest.limit === 0 || session.closing) continue;
      for (const [symbol, byInterval] of interest.streams) {
        for (const [interval, names] of byInterval) {
          this.store.indicators(symbol, interval, interest.limit).then(
            (points) => {
              if (this.interest.get(session) === interest) this.send(session, indicatorSnapshotMessage(symbol, interval, seriesOf(points, [...names])));
            },
            (error: unknown) => this.failed(error),
          );
        }
      }
    }
  }

  private interestOf(session: Session): Interest {
    let interest = this.interest.get(session);
    if (!interest) this.interest.set(session, (interest = { streams: new Map(), held: new Map(), limit: 0 }));
    return interest;
  }

  private count(interest: Interest): number {
    let n = 0;
    for (const byInterval of interest.streams.values()) for (const names of byInterval.values()) n += names.size;
    return n;
  }

  private async join(session: Session, symbol: string): Promise<void> {
    let feed = this.feeds.get(symbol);
    if (!feed) {
      const sessions = new Set<Session>();
      const ready = this.options.pubsub
        .subscribe(indicatorChannel(symbol), (points) => this.received(sessions, symbol, points))
        .catch((error: unknown) => {
          this.failed(error);
          return undefined;
        });
      feed = { sessions, ready };
      this.feeds.set(symbol, feed);
    }
    feed.sessions.add(session);
    await feed.ready;
  }

  private leave(session: Session, symbol: string): void {
    const feed = this.feeds.get(symbol);
    if (!feed || !feed.sessions.delete(session) || feed.sessions.size > 0) return;
    this.feeds.delete(symbol);
    void feed.ready.then((unsubscribe) => unsubscribe?.()).catch((error: unknown) => this.failed(error));
  }

  private received(sessions: ReadonlySet<Session>, symbol: string, points: readonly IndicatorPoint[]): void {
    for (const session of sessions) {
      const interest = this.interest.get(session);
      if (!interest) continue;
      const held = interest.held.get(symbol);
      if (held) held.push(points);
      else this.deliver(session, interest, points);
    }
  }

  /** One `indicator` frame per point the connection follows, with only its indicators' values. */
  private deliver(session: Session, interest: Interest, points: readonly IndicatorPoint[]): void {
    if (session.closing) return;
    for (const p of points) {
      const names = interest.streams.get(p.symbol)?.get(p.interval);
      if (!names) continue;
      const values: IndicatorValues = {};
      let any = false;
      for (const name of names) {
        const value = p.values[name];
        if (value === undefined) continue;
        values[name] = value;
        any = true;
      }
      if (any) this.send(session, indicatorUpdateMessage(p.symbol, p.interval, p.time, values));
    }
  }
}
