import { AccountsApi } from '../lib/accounts.js';
import { ActivityLog } from '../lib/activity.js';
import { MarketApi } from '../lib/api.js';
import { afterRenderTask, FrameScheduler } from '../lib/frame.js';
import { MarketStore } from '../lib/market.js';
import { IndicatorStore } from '../lib/indicators.js';
import { Overlays } from './overlays.js';
import type { TickstreamClient } from '../../../src/client/index.js';
import { StreamStats } from '../lib/stats.js';
import type { KeyValue } from '../lib/storage.js';
import { Store } from '../lib/store.js';
import { TradingApi } from '../lib/trading-api.js';
import { Account } from './account.js';
import { ChartView } from './chart-view.js';
import { Notices } from './notices.js';
import { Preferences } from './preferences.js';
import { initialUiState, type UiState } from './state.js';
import { Staleness } from './staleness.js';
import { Stream } from './stream.js';
import { Trading } from './trading.js';
import { Watchlist } from './watchlist.js';

export type { AccountState, ChartType, Notice, Theme, Toast, UiState } from './state.js';

/**
 * The dashboard: the stores the stream feeds, and one slice per part of the UI state (stream,
 * watchlist and chart, preferences, notices, account, paper trading). React components read the stores and call
 * the slices; nothing else does I/O.
 */
export class Dashboard {
  readonly scheduler = new FrameScheduler((run) => requestAnimationFrame(() => run()), undefined, afterRenderTask());
  readonly market = new MarketStore(this.scheduler);
  readonly indicators = new IndicatorStore(this.scheduler);
  readonly activity = new ActivityLog(this.scheduler);
  readonly stats = new StreamStats();
  readonly api = new MarketApi((input, init) => fetch(input, init));
  readonly ui: Store<UiState>;
  readonly notices: Notices;
  readonly prefs: Preferences;
  readonly stream: Stream;
  readonly watchlist: Watchlist;
  readonly account: Account;
  readonly staleness: Staleness;
  readonly chartView: ChartView;
  readonly overlays: Overlays;
  readonly trading: Trading;

  constructor() {
    const storage = safeStorage();
    const prefersLight = typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: light)').matches;
    this.ui = new Store<UiState>(initialUiState(storage, prefersLight));
    const { ui, market, activity } = this;
    this.notices = new Notices(ui);
    this.prefs = new Preferences(ui, storage, market);
    this.stream = new Stream({
      ui, market, activity, scheduler: this.scheduler, stats: this.stats, notices: this.notices,
      reloadChart: () => void this.watchlist.loadChart(),
      dropSymbols: (symbols) => this.watchlist.drop(symbols),
      accountsUnavailable: () => this.account.set({ available: false }),
      alertTriggered: () => void this.account.loadAlerts(),
      signedOut: () => this.account.signOut('Your session is no longer valid (signed out); the stream goes on anonymously.'),
      indicators: this.indicators,
      indicatorsRejected: (indicators, code, message) => this.overlays.rejected(indicators, code, message),
      authenticated: () => void this.trading.load(),
      userMessage: (message) => this.trading.onMessage(message),
    });
    const socket = this.stream.socket;
    this.watchlist = new Watchlist({ ui, api: this.api, market, activity, prefs: this.prefs, socket });
    this.staleness = new Staleness(ui, market);
    this.chartView = new ChartView(ui, this.prefs);
    this.overlays = new Overlays({ ui, storage, socket, store: this.indicators, notices: this.notices, activity });
    this.account = new Account({ ui, accounts: new AccountsApi((input, init) => fetch(input, init)), activity, storage, socket });
    this.trading = new Trading({ ui, api: new TradingApi((input, init) => fetch(input, init)), activity, notices: this.notices, signOut: (reason) => this.account.signOut(reason) });
  }

  /** Ctrl+R: prices, chart, log and statistics forgotten, then loaded again from the server. */
  clearAll(): void {
    this.stream.clearAll();
    void this.watchlist.reload();
  }

  /** The socket, for the console and browser tests (`tickstream.socket`). */
  get socket(): TickstreamClient {
    return this.stream.socket;
  }

  /** Loads what the page needs and opens the stream. */
  async start(): Promise<void> {
    this.prefs.start();
    document.addEventListener('visibilitychange', () => {
      // Hidden tabs get no animation frames; redraw the chart in full when it shows again.
      if (document.visibilityState === 'visible') this.market.invalidateChart();
    });
    this.staleness.start();
    // High-frequency mode: redraw at most ten times a second whatever the rate.
    const followMode = (): void => {
      this.scheduler.minGapMs = this.ui.get().view.highFrequency ? 100 : 0;
    };
    this.ui.subscribe(followMode);
    followMode();
    await this.watchlist.start();
    this.overlays.start();
    this.socket.setToken(this.account.token);
    this.socket.connect();
    this.activity.add('system', `Connecting to ${location.host}…`);
    void this.account.start();
    void this.trading.start();
  }
}

function safeStorage(): KeyValue | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}
