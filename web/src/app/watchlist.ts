import type { ActivityLog } from '../lib/activity.js';
import { ApiError, type MarketApi } from '../lib/api.js';
import type { MarketStore } from '../lib/market.js';
import type { TickstreamClient } from '../../../src/client/index.js';
import type { CandleInterval } from '../lib/types.js';
import type { Preferences } from './preferences.js';
import { describeError, type ChartType, type UiStore } from './state.js';

export interface WatchlistDeps {
  readonly ui: UiStore;
  readonly api: MarketApi;
  readonly market: MarketStore;
  readonly activity: ActivityLog;
  readonly prefs: Preferences;
  readonly socket: TickstreamClient;
}

/** The watched symbols, the selection and the chart's symbol and interval, with their REST loading. */
export class Watchlist {
  constructor(private readonly deps: WatchlistDeps) {}

  /** Keeps only symbols traded here, subscribes to them and loads quotes and the chart. */
  async start(): Promise<void> {
    const { ui, api, activity, prefs, socket } = this.deps;
    const universe = await api.symbols().catch(() => [] as string[]);
    let watchlist = ui.get().watchlist;
    if (universe.length > 0) {
      const known = new Set(universe);
      const dropped = watchlist.filter((s) => !known.has(s));
      watchlist = watchlist.filter((s) => known.has(s));
      if (watchlist.length === 0 && dropped.length > 0) watchlist = universe.slice(0, 6);
      if (dropped.length > 0) activity.add('system', `Not traded here, removed from the watchlist: ${dropped.join(', ')}.`);
    }
    const selected = watchlist.includes(ui.get().selected ?? '') ? ui.get().selected : watchlist[0];
    ui.set({ universe, watchlist, selected });
    prefs.persistWatchlist();
    socket.subscribe(watchlist);
    void this.loadQuotes();
    this.showChart();
  }

  /** Quotes and chart from REST again (after "clear all data"). */
  async reload(): Promise<void> {
    await this.loadQuotes();
    this.showChart();
  }

  add(raw: string): string | undefined {
    const { ui, prefs, socket, activity } = this.deps;
    const symbol = raw.trim().toUpperCase();
    const { universe, watchlist } = ui.get();
    if (symbol === '') return 'Type a symbol.';
    if (watchlist.includes(symbol)) return `${symbol} is already in the watchlist.`;
    if (universe.length > 0 && !universe.includes(symbol)) return `${symbol} is not traded here.`;
    ui.set({ watchlist: [...watchlist, symbol], selected: ui.get().selected ?? symbol });
    prefs.persistWatchlist();
    socket.subscribe([symbol]);
    activity.add('system', `Added ${symbol}.`);
    void this.loadQuotes([symbol]);
    if (ui.get().selected === symbol) this.showChart();
    return undefined;
  }

  remove(symbol: string): void {
    const { ui, prefs, socket, activity } = this.deps;
    const { watchlist, selected } = ui.get();
    const next = watchlist.filter((s) => s !== symbol);
    ui.set({ watchlist: next, selected: selected === symbol ? next[0] : selected });
    prefs.persistWatchlist();
    socket.unsubscribe([symbol]);
    activity.add('system', `Removed ${symbol}.`);
    if (selected === symbol) this.showChart();
  }

  /** Drops symbols without unsubscribing (the server already refused them). */
  drop(symbols: readonly string[]): void {
    if (symbols.length === 0) return;
    this.deps.ui.set((s) => ({ watchlist: s.watchlist.filter((w) => !symbols.includes(w)) }));
    this.deps.prefs.persistWatchlist();
  }

  select(symbol: string): void {
    if (this.deps.ui.get().selected === symbol) return;
    this.deps.ui.set({ selected: symbol });
    this.deps.prefs.persistChart();
    this.showChart();
  }

  /** Moves the selection by `step` in the watchlist (j/k). */
  step(step: number): void {
    const { watchlist, selected } = this.deps.ui.get();
    if (watchlist.length === 0) return;
    const at = Math.max(0, watchlist.indexOf(selected ?? ''));
    this.select(watchlist[(at + step + watchlist.length) % watchlist.length]!);
  }

  setInterval(interval: CandleInterval): void {
    if (this.deps.ui.get().interval === interval) return;
    this.deps.ui.set({ interval });
    this.deps.prefs.persistChart();
    this.showChart();
  }

  setChartType(chartType: ChartType): void {
    this.deps.ui.set({ chartType });
    this.deps.prefs.persistChart();
    this.deps.market.invalidateChart();
  }

  private showChart(): void {
    const { selected, interval } = this.deps.ui.get();
    if (!selected) return;
    this.deps.market.setChart(selected, interval);
    void this.loadChart();
  }

  async loadChart(): Promise<void> {
    const { ui, api, market, activity } = this.deps;
    const { selected, interval } = ui.get();
    if (!selected) return;
    try {
      const candles = await api.candles(selected, interval, 500);
      market.loadChart(selected, interval, candles);
    } catch (error) {
      market.loadChart(selected, interval, []);
      if (!(error instanceof ApiError && error.code === 'NO_PRICE_YET')) activity.add('error', `Candles of ${selected}: ${describeError(error)}`);
    }
  }

  private async loadQuotes(only?: string[]): Promise<void> {
    const { ui, api, market, activity } = this.deps;
    try {
      const quotes = await api.quotes();
      market.seedQuotes(only ? quotes.filter((q) => only.includes(q.symbol)) : quotes);
      const symbols = only ?? ui.get().watchlist;
      await Promise.all(
        symbols.map(async (s) => {
          const ticks = await api.ticks(s, 60).catch(() => []);
          market.seedSpark(s, ticks.map((t) => t.price).reverse());
        }),
      );
    } catch (error) {
      activity.add('error', `Quotes: ${describeError(error)}`);
    }
  }
}
