import { AccountsApi, AccountsUnavailable, isSessionUsable, type Session } from '../lib/accounts.js';
import { ActivityLog } from '../lib/activity.js';
import { ApiError, MarketApi } from '../lib/api.js';
import { price as fmtPrice } from '../lib/format.js';
import { FrameScheduler } from '../lib/frame.js';
import { MarketStore } from '../lib/market.js';
import { TickSocket, type ConnectionStatus, type SocketLike } from '../lib/socket.js';
import { StreamStats } from '../lib/stats.js';
import { isStringArray, KEYS, load, save } from '../lib/storage.js';
import { Store } from '../lib/store.js';
import { INTERVAL_NAMES, type Alert, type CandleInterval, type NewAlert, type Tick } from '../lib/types.js';

export type Theme = 'dark' | 'light';
export type ChartType = 'candles' | 'line';

export interface Notice {
  readonly id: number;
  readonly kind: 'warning' | 'error' | 'info';
  readonly text: string;
}

export interface Toast {
  readonly id: number;
  readonly title: string;
  readonly text: string;
}

export interface AccountState {
  /** undefined while checking. */
  readonly available: boolean | undefined;
  readonly session: Session | undefined;
  readonly alerts: readonly Alert[];
  readonly error: string | undefined;
  readonly busy: boolean;
}

export interface UiState {
  readonly universe: readonly string[];
  readonly watchlist: readonly string[];
  readonly selected: string | undefined;
  readonly interval: CandleInterval;
  readonly chartType: ChartType;
  readonly paused: boolean;
  readonly status: ConnectionStatus;
  readonly retryAt: number | undefined;
  readonly notices: readonly Notice[];
  readonly toasts: readonly Toast[];
  readonly theme: Theme;
  readonly themeChosen: boolean;
  readonly helpOpen: boolean;
  readonly account: AccountState;
}

const DEFAULT_WATCHLIST = ['AAPL', 'MSFT', 'GOOGL', 'AMZN', 'TSLA', 'NVDA'];
const TOAST_MS = 8_000;

const isTheme = (v: unknown): v is Theme => v === 'dark' || v === 'light';
const isChartPrefs = (v: unknown): v is { interval: CandleInterval; chartType: ChartType; selected?: string } =>
  typeof v === 'object' && v !== null && INTERVAL_NAMES.includes((v as { interval: CandleInterval }).interval) && ['candles', 'line'].includes((v as { chartType: string }).chartType);
const isSession = (v: unknown): v is Session => typeof v === 'object' && v !== null && typeof (v as Session).token === 'string';

/**
 * The dashboard's one controller: the socket, the stores fed by it, REST loading, preferences
 * and accounts. React components read its stores and call its methods; nothing else does I/O.
 */
export class Dashboard {
  readonly scheduler = new FrameScheduler((run) => requestAnimationFrame(() => run()));
  readonly market = new MarketStore(this.scheduler);
  readonly activity = new ActivityLog(this.scheduler);
  readonly stats = new StreamStats();
  readonly api = new MarketApi((input, init) => fetch(input, init));
  readonly accounts = new AccountsApi((input, init) => fetch(input, init));
  readonly socket: TickSocket;
  readonly ui: Store<UiState>;
  private readonly storage: Storage | undefined;
  private readonly media: MediaQueryList | undefined;
  private nextId = 1;
  private readonly groups = new Map<string, { symbols: Set<string>; id: number }>();

  constructor() {
    this.storage = safeStorage();
    this.media = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: light)') : undefined;
    const chosen = load(this.storage, KEYS.theme, isTheme);
    const prefs = load(this.storage, KEYS.chart, isChartPrefs);
    const watchlist = load(this.storage, KEYS.watchlist, isStringArray) ?? DEFAULT_WATCHLIST;
    const session = load(this.storage, KEYS.session, isSession);
    this.ui = new Store<UiState>({
      universe: [],
      watchlist,
      selected: prefs?.selected ?? watchlist[0],
      interval: prefs?.interval ?? '1s',
      chartType: prefs?.chartType ?? 'candles',
      paused: false,
      status: 'idle',
      retryAt: undefined,
      notices: [],
      toasts: [],
      theme: chosen ?? (this.media?.matches ? 'light' : 'dark'),
      themeChosen: chosen !== undefined,
      helpOpen: false,
      account: { available: undefined, session: isSessionUsable(session, Date.now()) ? session : undefined, alerts: [], error: undefined, busy: false },
    });
    const wsUrl = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
    this.socket = new TickSocket({
      url: wsUrl,
      symbols: [],
      // The browser's WebSocket has these members; its handlers take richer event types.
      create: (url) => new WebSocket(url) as unknown as SocketLike,
      events: {
        ticks: (ticks, receivedAt, live) => this.onTicks(ticks, receivedAt, live),
        status: (status, detail) => this.onStatus(status, detail),
        recovery: (symbol, recovered) => this.onRecovery(symbol, recovered),
        sequenceReset: (symbol, last, seq) => this.onSequenceReset(symbol, last, seq),
        rejected: (symbols, code, message) => this.onRejected(symbols, code, message),
        serverError: (code, message) => this.onServerError(code, message),
        authenticated: (user) => this.activity.add('system', `Socket authenticated as ${user.username}.`),
        alert: (alert, price) => this.onAlert(alert, price),
        order: (message) => this.activity.add('order', JSON.stringify(message)),
      },
    });
  }

  /** Loads what the page needs and opens the stream. */
  async start(): Promise<void> {
    this.applyTheme();
    this.media?.addEventListener('change', () => {
      if (!this.ui.get().themeChosen) this.setTheme(this.media?.matches ? 'light' : 'dark', false);
    });
    document.addEventListener('visibilitychange', () => {
      // Hidden tabs get no animation frames; redraw the chart in full when it shows again.
      if (document.visibilityState === 'visible') this.market.invalidateChart();
    });
    const universe = await this.api.symbols().catch(() => [] as string[]);
    let watchlist = this.ui.get().watchlist;
    if (universe.length > 0) {
      const known = new Set(universe);
      const dropped = watchlist.filter((s) => !known.has(s));
      watchlist = watchlist.filter((s) => known.has(s));
      if (watchlist.length === 0 && dropped.length > 0) watchlist = universe.slice(0, 6);
      if (dropped.length > 0) this.activity.add('system', `Not traded here, removed from the watchlist: ${dropped.join(', ')}.`);
    }
    const selected = watchlist.includes(this.ui.get().selected ?? '') ? this.ui.get().selected : watchlist[0];
    this.ui.set({ universe, watchlist, selected });
    this.persistWatchlist();
    this.socket.subscribe(watchlist);
    this.socket.setToken(this.ui.get().account.session?.token);
    this.socket.connect();
    this.activity.add('system', `Connecting to ${location.host}…`);
    void this.loadQuotes();
    this.showChart();
    void this.initAccounts();
  }

  // ——— stream ———

  private onTicks(ticks: Tick[], receivedAt: number, live: Tick[]): void {
    this.stats.record(live.map((t) => t.ts), receivedAt, ticks.length);
    this.market.applyTicks(ticks);
    for (const t of ticks) this.activity.add('tick', `${t.symbol} ${fmtPrice(t.price)} × ${t.size} (seq ${t.seq})`, receivedAt);
  }

  private onStatus(status: ConnectionStatus, detail: { attempt: number; delayMs?: number; code?: number; reason?: string }): void {
    const was = this.ui.get().status;
    this.ui.set({ status, retryAt: detail.delayMs !== undefined ? Date.now() + detail.delayMs : undefined });
    if (status === 'open') {
      const since = Object.keys(this.socket.positions).length;
      this.activity.add('system', was === 'reconnecting' ? `Reconnected; resuming ${since} symbol(s) from their last seq.` : 'Connected.');
    } else if (status === 'reconnecting' && detail.delayMs !== undefined) {
      const why = detail.reason ? `${detail.code} ${detail.reason}` : String(detail.code ?? '');
      this.activity.add('error', `Connection lost (${why.trim() || 'no reason'}); retrying in ${(detail.delayMs / 1000).toFixed(1)} s (attempt ${detail.attempt}).`);
    } else if (status === 'closed') this.activity.add('system', 'Disconnected.');
  }

  private onRecovery(symbol: string, recovered: boolean): void {
    if (recovered) {
      this.activity.add('system', `${symbol}: missed ticks replayed, no gap.`);
      return;
    }
    this.groupNotice('unrecovered', symbol, (list) => `Ticks missed while disconnected could not be recovered for ${list} (history no longer reaches back): showing the latest prices; the chart was reloaded from the server.`);
    this.activity.add('error', `${symbol}: recovered=false, fresh snapshot.`);
    if (this.ui.get().selected === symbol) void this.loadChart();
  }

  private onSequenceReset(symbol: string, last: number, seq: number): void {
    this.groupNotice('reset', symbol, (list) => `The server's sequence restarted for ${list} (it was probably restarted): live again; ticks from while it was down do not exist.`);
    this.activity.add('error', `${symbol}: sequence restarted (${last} → ${seq}).`);
  }

  private onRejected(symbols: string[], code: string, message: string): void {
    this.notice('error', `${code}: ${message}`);
    this.activity.add('error', `Subscribe refused (${code}): ${message}`);
    const { universe } = this.ui.get();
    // The refusal is whole: keep (and subscribe again) the symbols that are known to be traded.
    const bad = code === 'UNKNOWN_SYMBOL' && universe.length > 0 ? symbols.filter((s) => !universe.includes(s)) : symbols;
    const retry = bad.length > 0 ? symbols.filter((s) => !bad.includes(s)) : [];
    this.ui.set({ watchlist: this.ui.get().watchlist.filter((s) => !bad.includes(s)) });
    this.persistWatchlist();
    if (retry.length > 0) this.socket.subscribe(retry);
  }

  private onServerError(code: string, message: string): void {
    if (code === 'AUTH_NOT_AVAILABLE') {
      this.setAccount({ available: false });
      return;
    }
    this.activity.add('error', `${code}: ${message}`);
  }

  private onAlert(alert: Alert, price: number): void {
    const text = `${alert.symbol} ${alert.condition.replace('_', ' ')} ${alert.threshold} — now ${fmtPrice(price)}${alert.note ? ` (${alert.note})` : ''}`;
    this.toast('Alert triggered', text);
    this.activity.add('alert', text);
    void this.loadAlerts();
  }

  connectionToggle(): void {
    if (this.socket.status === 'closed') this.socket.connect();
    else this.socket.disconnect();
  }

  setPaused(paused: boolean): void {
    this.scheduler.setPaused(paused);
    this.ui.set({ paused });
    this.activity.add('system', paused ? 'Stream paused: the socket stays open, the screen stops updating.' : 'Stream resumed: showing the latest state.');
    if (!paused) this.market.invalidateChart();
  }

  // ——— watchlist and chart ———

  addSymbol(raw: string): string | undefined {
    const symbol = raw.trim().toUpperCase();
    const { universe, watchlist } = this.ui.get();
    if (symbol === '') return 'Type a symbol.';
    if (watchlist.includes(symbol)) return `${symbol} is already in the watchlist.`;
    if (universe.length > 0 && !universe.includes(symbol)) return `${symbol} is not traded here.`;
    this.ui.set({ watchlist: [...watchlist, symbol], selected: this.ui.get().selected ?? symbol });
    this.persistWatchlist();
    this.socket.subscribe([symbol]);
    this.activity.add('system', `Added ${symbol}.`);
    void this.loadQuotes([symbol]);
    if (this.ui.get().selected === symbol) this.showChart();
    return undefined;
  }

  removeSymbol(symbol: string): void {
    const { watchlist, selected } = this.ui.get();
    const next = watchlist.filter((s) => s !== symbol);
    this.ui.set({ watchlist: next, selected: selected === symbol ? next[0] : selected });
    this.persistWatchlist();
    this.socket.unsubscribe([symbol]);
    this.activity.add('system', `Removed ${symbol}.`);
    if (selected === symbol) this.showChart();
  }

  select(symbol: string): void {
    if (this.ui.get().selected === symbol) return;
    this.ui.set({ selected: symbol });
    this.persistChart();
    this.showChart();
  }

  /** Moves the selection by `step` in the watchlist (j/k). */
  step(step: number): void {
    const { watchlist, selected } = this.ui.get();
    if (watchlist.length === 0) return;
    const at = Math.max(0, watchlist.indexOf(selected ?? ''));
    this.select(watchlist[(at + step + watchlist.length) % watchlist.length]!);
  }

  setInterval(interval: CandleInterval): void {
    if (this.ui.get().interval === interval) return;
    this.ui.set({ interval });
    this.persistChart();
    this.showChart();
  }

  setChartType(chartType: ChartType): void {
    this.ui.set({ chartType });
    this.persistChart();
    this.market.invalidateChart();
  }

  private showChart(): void {
    const { selected, interval } = this.ui.get();
    if (!selected) return;
    this.market.setChart(selected, interval);
    void this.loadChart();
  }

  private async loadChart(): Promise<void> {
    const { selected, interval } = this.ui.get();
    if (!selected) return;
    try {
      const candles = await this.api.candles(selected, interval, 500);
      this.market.loadChart(selected, interval, candles);
    } catch (error) {
      this.market.loadChart(selected, interval, []);
      if (!(error instanceof ApiError && error.code === 'NO_PRICE_YET')) this.activity.add('error', `Candles of ${selected}: ${describe(error)}`);
    }
  }

  private async loadQuotes(only?: string[]): Promise<void> {
    try {
      const quotes = await this.api.quotes();
      this.market.seedQuotes(only ? quotes.filter((q) => only.includes(q.symbol)) : quotes);
      const symbols = only ?? this.ui.get().watchlist;
      await Promise.all(
        symbols.map(async (s) => {
          const ticks = await this.api.ticks(s, 60).catch(() => []);
          this.market.seedSpark(s, ticks.map((t) => t.price).reverse());
        }),
      );
    } catch (error) {
      this.activity.add('error', `Quotes: ${describe(error)}`);
    }
  }

  // ——— preferences ———

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

  private applyTheme(): void {
    document.documentElement.dataset.theme = this.ui.get().theme;
  }

  private persistWatchlist(): void {
    save(this.storage, KEYS.watchlist, this.ui.get().watchlist);
  }

  private persistChart(): void {
    const { interval, chartType, selected } = this.ui.get();
    save(this.storage, KEYS.chart, { interval, chartType, selected });
  }

  // ——— notices and toasts ———

  notice(kind: Notice['kind'], text: string): void {
    const notices = this.ui.get().notices.filter((n) => n.text !== text);
    this.ui.set({ notices: [...notices, { id: this.nextId++, kind, text }].slice(-5) });
  }

  /** One notice per kind of event, naming every symbol it happened to (a restart hits them all). */
  private groupNotice(key: string, symbol: string, render: (symbols: string) => string): void {
    const group = this.groups.get(key) ?? { symbols: new Set<string>(), id: 0 };
    this.groups.set(key, group);
    group.symbols.add(symbol);
    const others = this.ui.get().notices.filter((n) => n.id !== group.id);
    group.id = this.nextId++;
    this.ui.set({ notices: [...others, { id: group.id, kind: 'warning' as const, text: render([...group.symbols].sort().join(', ')) }].slice(-5) });
  }

  dismissNotice(id: number): void {
    for (const [key, group] of this.groups) if (group.id === id) this.groups.delete(key);
    this.ui.set({ notices: this.ui.get().notices.filter((n) => n.id !== id) });
  }

  toast(title: string, text: string): void {
    const id = this.nextId++;
    this.ui.set({ toasts: [...this.ui.get().toasts, { id, title, text }].slice(-4) });
    setTimeout(() => this.dismissToast(id), TOAST_MS);
  }

  dismissToast(id: number): void {
    this.ui.set({ toasts: this.ui.get().toasts.filter((t) => t.id !== id) });
  }

  // ——— accounts and alerts ———

  private setAccount(patch: Partial<AccountState>): void {
    this.ui.set((s) => ({ account: { ...s.account, ...patch } }));
  }

  private async initAccounts(): Promise<void> {
    const available = await this.accounts.available();
    this.setAccount({ available });
    if (!available) {
      this.activity.add('system', 'Accounts are not available on this server: alerts are off.');
      return;
    }
    const session = this.ui.get().account.session;
    if (session) await this.loadAlerts();
  }

  async signIn(kind: 'login' | 'register', username: string, password: string): Promise<void> {
    this.setAccount({ busy: true, error: undefined });
    try {
      const session = kind === 'login' ? await this.accounts.login(username, password) : await this.accounts.register(username, password);
      save(this.storage, KEYS.session, session);
      this.setAccount({ session, busy: false, available: true });
      this.socket.setToken(session.token);
      this.activity.add('system', `${kind === 'login' ? 'Logged in' : 'Signed up'} as ${session.user.username}.`);
      await this.loadAlerts();
    } catch (error) {
      if (error instanceof AccountsUnavailable) this.setAccount({ available: false, busy: false });
      else this.setAccount({ busy: false, error: describe(error) });
    }
  }

  signOut(): void {
    save(this.storage, KEYS.session, undefined);
    this.setAccount({ session: undefined, alerts: [], error: undefined });
    this.socket.setToken(undefined);
    this.activity.add('system', 'Logged out.');
  }

  async loadAlerts(): Promise<void> {
    const session = this.ui.get().account.session;
    if (!session) return;
    try {
      this.setAccount({ alerts: await this.accounts.alerts(session.token) });
    } catch (error) {
      this.handleAccountError(error);
    }
  }

  async createAlert(alert: NewAlert): Promise<boolean> {
    const session = this.ui.get().account.session;
    if (!session) return false;
    this.setAccount({ busy: true, error: undefined });
    try {
      const created = await this.accounts.createAlert(session.token, alert);
      this.setAccount({ busy: false, alerts: [...this.ui.get().account.alerts.filter((a) => a.id !== created.id), created] });
      this.activity.add('system', `Alert created: ${created.symbol} ${created.condition} ${created.threshold}.`);
      return true;
    } catch (error) {
      this.setAccount({ busy: false });
      this.handleAccountError(error);
      return false;
    }
  }

  async deleteAlert(alert: Alert): Promise<void> {
    const session = this.ui.get().account.session;
    if (!session) return;
    try {
      await this.accounts.deleteAlert(session.token, alert.id);
      this.setAccount({ alerts: this.ui.get().account.alerts.filter((a) => a.id !== alert.id) });
      this.activity.add('system', `Alert deleted: ${alert.symbol} ${alert.condition} ${alert.threshold}.`);
    } catch (error) {
      this.handleAccountError(error);
    }
  }

  private handleAccountError(error: unknown): void {
    if (error instanceof ApiError && error.status === 401) {
      this.signOut();
      this.setAccount({ error: 'Your session expired; log in again.' });
      return;
    }
    this.setAccount({ error: describe(error) });
  }
}

function describe(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (${error.code})`;
  return error instanceof Error ? error.message : String(error);
}

function safeStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}
