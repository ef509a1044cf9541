import type { MarketStore } from '../lib/market.js';
import type { UiStore } from './state.js';

/** A price older than this is marked stale even while the stream is up (a quiet or halted symbol). */
export const STALE_AFTER_MS = 15_000;

/**
 * Decides, once a second, which watched prices the page must mark as stale: all of them while the
 * stream is down, otherwise those with no update for {@link STALE_AFTER_MS}. The UI state changes
 * only when the set does, so cards re-render only on a change of staleness.
 */
export class Staleness {
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly ui: UiStore,
    private readonly market: MarketStore,
    private readonly now: () => number = Date.now,
  ) {}

  start(everyMs = 1_000): void {
    this.timer ??= setInterval(() => this.check(), everyMs);
    this.ui.subscribe(() => this.checkOnStatus());
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private lastStatus = '';

  /** A change of connection state shows at once, not up to a second later. */
  private checkOnStatus(): void {
    const status = this.ui.get().status;
    if (status === this.lastStatus) return;
    this.lastStatus = status;
    this.check();
  }

  check(): void {
    const { watchlist, status, stale } = this.ui.get();
    const now = this.now();
    const down = status !== 'open';
    const next = new Set<string>();
    for (const symbol of watchlist) {
      const at = this.market.updatedAt(symbol);
      if (down || at === undefined || now - at > STALE_AFTER_MS) next.add(symbol);
    }
    // Before the first tick of a symbol there is nothing to mark.
    for (const symbol of [...next]) if (this.market.quote(symbol) === undefined) next.delete(symbol);
    if (next.size === stale.size && [...next].every((s) => stale.has(s))) return;
    this.ui.set({ stale: next });
  }
}
