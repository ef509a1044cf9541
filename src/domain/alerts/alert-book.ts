import type { AlertRule } from './alert.js';

/**
 * The alerts role's in-memory index of active alerts by symbol: a cache of the database, which
 * stays the authority (every fire is a conditional update there, so a stale entry can at worst
 * attempt a fire the database refuses). Updates carry the row's revision; one older than what the
 * book has seen for that alert is ignored, so a slow poll cannot undo a newer write seen first.
 */
export class AlertBook {
  private readonly byId = new Map<number, AlertRule>();
  private readonly bySymbol = new Map<string, Map<number, AlertRule>>();
  /** Highest revision seen of alerts that left the book (bounded: only recent races need it). */
  private readonly gone = new BoundedMap<number, number>(10_000);

  get size(): number {
    return this.byId.size;
  }

  get(id: number): AlertRule | undefined {
    return this.byId.get(id);
  }

  /** Adds or replaces an alert; one that is no longer active leaves the book. */
  put(rule: AlertRule): void {
    const held = this.byId.get(rule.id);
    const seen = held?.revision ?? this.gone.get(rule.id);
    if (seen !== undefined && seen > rule.revision) return;
    if (rule.status !== 'active') {
      this.drop(rule.id);
      this.gone.set(rule.id, rule.revision);
      return;
    }
    this.gone.delete(rule.id);
    if (held && held.symbol !== rule.symbol) this.drop(rule.id);
    // Replaced in place: alerts of a symbol keep the order they joined in (creation order).
    this.byId.set(rule.id, rule);
    let forSymbol = this.bySymbol.get(rule.symbol);
    if (!forSymbol) this.bySymbol.set(rule.symbol, (forSymbol = new Map()));
    forSymbol.set(rule.id, rule);
  }

  /** The alert was deleted: no later version of it can come back. */
  delete(id: number): void {
    this.drop(id);
    this.gone.set(id, Number.POSITIVE_INFINITY);
  }

  /** The active alerts of a symbol, as a snapshot safe to iterate while the book changes. */
  forSymbol(symbol: string): AlertRule[] {
    const forSymbol = this.bySymbol.get(symbol);
    return forSymbol ? [...forSymbol.values()] : [];
  }

  private drop(id: number): void {
    const held = this.byId.get(id);
    if (!held) return;
    this.byId.delete(id);
    const forSymbol = this.bySymbol.get(held.symbol);
    forSymbol?.delete(id);
    if (forSymbol?.size === 0) this.bySymbol.delete(held.symbol);
  }
}

/** A Map that forgets its oldest entries past `limit`. */
class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly limit: number) {
    super();
  }

  override set(key: K, value: V): this {
    this.delete(key);
    super.set(key, value);
    if (this.size > this.limit) this.delete(this.keys().next().value as K);
    return this;
  }
}
