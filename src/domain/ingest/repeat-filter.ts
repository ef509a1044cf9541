/**
 * Drops trades a provider sends again after a reconnect. A trade is a repeat when a trade with the
 * same symbol, time, price and size arrived on an earlier connection; identical trades on the same
 * connection are distinct prints and kept. Remembers the newest `capacity` trades.
 */
export class RepeatFilter {
  private readonly seen = new Map<string, number>();
  private connection = 0;

  constructor(private readonly capacity = 20_000) {}

  /** Call when a new connection starts delivering. */
  nextConnection(): void {
    this.connection++;
  }

  /** True when the trade is a repeat (drop it); otherwise remembers it. */
  isRepeat(trade: { symbol: string; ts: number; price: number; size: number }): boolean {
    const key = `${trade.symbol}|${trade.ts}|${trade.price}|${trade.size}`;
    const at = this.seen.get(key);
    if (at !== undefined && at < this.connection) return true;
    if (at === undefined) {
      this.seen.set(key, this.connection);
      if (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value!);
    }
    return false;
  }
}
