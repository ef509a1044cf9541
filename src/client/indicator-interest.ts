import type { IndicatorSelection } from '../protocol/index.js';

/**
 * The indicator streams a client wants (symbol → `1m:sma:20` names), kept across reconnects. The
 * server's answer to a subscribe is all or nothing, so a refused request's streams are forgotten
 * as a whole; `pending` remembers what each request added until its reply.
 */
export class IndicatorInterest {
  private readonly wanted = new Map<string, Set<string>>();
  private readonly pending = new Map<string, IndicatorSelection>();

  /** Adds the streams; returns the ones that were not wanted yet (empty: nothing to send). */
  add(selection: IndicatorSelection): IndicatorSelection {
    const added: IndicatorSelection = {};
    for (const [key, names] of Object.entries(selection)) {
      const symbol = key.toUpperCase();
      const set = this.wanted.get(symbol) ?? new Set<string>();
      const fresh = names.map(normalise).filter((n) => !set.has(n));
      if (fresh.length === 0) continue;
      for (const n of fresh) set.add(n);
      this.wanted.set(symbol, set);
      added[symbol] = [...new Set(fresh)];
    }
    return added;
  }

  /** Removes the streams; returns the ones that were wanted (empty: nothing to send). */
  remove(selection: IndicatorSelection): IndicatorSelection {
    const removed: IndicatorSelection = {};
    for (const [key, names] of Object.entries(selection)) {
      const symbol = key.toUpperCase();
      const set = this.wanted.get(symbol);
      if (!set) continue;
      const gone = names.map(normalise).filter((n) => set.delete(n));
      if (set.size === 0) this.wanted.delete(symbol);
      if (gone.length > 0) removed[symbol] = gone;
    }
    return removed;
  }

  /** Everything wanted, symbols and names sorted: what a new connection subscribes to. */
  selection(): IndicatorSelection {
    return Object.fromEntries([...this.wanted.keys()].sort().map((s) => [s, [...this.wanted.get(s)!].sort()]));
  }

  get size(): number {
    return this.wanted.size;
  }

  /** Whether an update of this symbol, interval and indicator is still wanted (one queued before an unsubscribe is not). */
  wants(symbol: string, interval: string, name: string): boolean {
    return this.wanted.get(symbol)?.has(`${interval}:${name}`) ?? false;
  }

  sent(id: string, selection: IndicatorSelection): void {
    this.pending.set(id, selection);
  }

  /** The request `id` was answered; a refusal removes what it asked for and returns it. */
  answered(id: string, refused: boolean): IndicatorSelection | undefined {
    const selection = this.pending.get(id);
    if (selection === undefined) return undefined;
    this.pending.delete(id);
    if (refused) this.remove(selection);
    return selection;
  }

  /** A new connection: replies to the old one's requests will not come. */
  reset(): void {
    this.pending.clear();
  }
}

/** `1M:SMA:20` and `1m:sma:20` are one stream: intervals and names are lower case on the wire. */
const normalise = (name: string): string => name.trim().toLowerCase();
