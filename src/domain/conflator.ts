/**
 * Keeps only the newest value per key, in first-seen key order: what a slow client gets instead of
 * every tick. `add` reports whether an older value was replaced (a conflated tick).
 */
export class Conflator<V> {
  private readonly latest = new Map<string, V>();

  get size(): number {
    return this.latest.size;
  }

  add(key: string, value: V): boolean {
    const replaced = this.latest.has(key);
    this.latest.set(key, value);
    return replaced;
  }

  /** Entries in first-seen key order; the conflator is empty afterwards. */
  drain(): [string, V][] {
    const entries = [...this.latest.entries()];
    this.latest.clear();
    return entries;
  }
}
