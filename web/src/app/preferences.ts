import { KEYS, save, type KeyValue } from '../lib/storage.js';
import type { MarketStore } from '../lib/market.js';
import type { Theme, UiStore, ViewPrefs } from './state.js';

/** Theme, help overlay and the remembered chart settings. */
export class Preferences {
  private readonly media: MediaQueryList | undefined;

  constructor(
    private readonly ui: UiStore,
    private readonly storage: KeyValue | undefined,
    private readonly market: MarketStore,
  ) {
    this.media = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: light)') : undefined;
  }

  /** Follows the system theme until the user picks one. */
  start(): void {
    this.applyTheme();
    this.media?.addEventListener('change', () => {
      if (!this.ui.get().themeChosen) this.setTheme(this.media?.matches ? 'light' : 'dark', false);
    });
  }

  setTheme(theme: Theme, chosen = true): void {
    this.ui.set({ theme, themeChosen: chosen || this.ui.get().themeChosen });
    if (chosen) save(this.storage, KEYS.theme, theme);
    this.applyTheme();
    this.market.invalidateChart();
  }

  toggleTheme(): void {
    this.setTheme(this.ui.get().theme === 'dark' ? 'light' : 'dark');
  }

  setHelp(open: boolean): void {
    this.ui.set({ helpOpen: open });
  }

  /** Changes and remembers a layout choice. */
  setView(patch: Partial<ViewPrefs>): void {
    this.ui.set((s) => ({ view: { ...s.view, ...patch } }));
    save(this.storage, KEYS.view, this.ui.get().view);
  }

  persistWatchlist(): void {
    save(this.storage, KEYS.watchlist, this.ui.get().watchlist);
  }

  persistChart(): void {
    const { interval, chartType, selected } = this.ui.get();
    save(this.storage, KEYS.chart, { interval, chartType, selected });
  }

  private applyTheme(): void {
    document.documentElement.dataset.theme = this.ui.get().theme;
  }
}
