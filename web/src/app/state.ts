import { isSessionUsable, type Session } from '../lib/accounts.js';
import { ApiError } from '../lib/api.js';
import { isStringArray, KEYS, load, type KeyValue } from '../lib/storage.js';
import type { Store } from '../lib/store.js';
import type { ConnectionStatus } from '../../../src/client/index.js';
import { INTERVAL_NAMES, type Alert, type CandleInterval } from '../lib/types.js';
import { loadOverlays } from './overlay-kinds.js';

export type Theme = 'dark' | 'light';
export type ChartType = 'candles' | 'line';
export type WatchView = 'cards' | 'table';
export type SortKey = 'symbol' | 'price' | 'change' | 'changePercent' | 'volume';
export interface TableSort {
  readonly key: SortKey;
  readonly descending: boolean;
}
/** How much time the chart shows: the reference dashboard's windows, or everything loaded. */
export type ChartWindow = '1m' | '5m' | '15m' | '30m' | '1h' | 'all';
export const CHART_WINDOWS: readonly ChartWindow[] = ['1m', '5m', '15m', '30m', '1h', 'all'];
export const SORT_KEYS: readonly SortKey[] = ['symbol', 'price', 'change', 'changePercent', 'volume'];
/** The movers panel's window: the last 1m, 5m, 1h (from the analytics role), or the day. */
export type MoversWindow = '1m' | '5m' | '1h' | 'day';
export const MOVERS_WINDOWS: readonly MoversWindow[] = ['1m', '5m', '1h', 'day'];

/** Layout choices remembered across visits. */
export interface ViewPrefs {
  readonly watchView: WatchView;
  readonly tableSort: TableSort;
  readonly logOpen: boolean;
  readonly highFrequency: boolean;
  readonly chartWindow: ChartWindow;
  readonly moversWindow: MoversWindow;
}

/**
 * What the page says about the stream besides "live": the outcome of the last resume, or why no
 * prices flow. Shown until the next change of state.
 */
export type StreamNote =
  | { readonly kind: 'resumed'; readonly replayed: number }
  | { readonly kind: 'historyLost'; readonly symbols: readonly string[] }
  | { readonly kind: 'signedOut'; readonly reason: string };

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
  /** Indicators drawn on the chart (names like `sma:20`), in the menu's order; remembered. */
  readonly overlays: readonly string[];
  readonly paused: boolean;
  readonly status: ConnectionStatus;
  readonly retryAt: number | undefined;
  readonly notices: readonly Notice[];
  readonly toasts: readonly Toast[];
  readonly theme: Theme;
  readonly themeChosen: boolean;
  readonly helpOpen: boolean;
  readonly account: AccountState;
  readonly view: ViewPrefs;
  /** The chart stops following live ticks (the socket and the cards go on). */
  readonly chartPaused: boolean;
  /** Symbols whose last price is old, or every watched symbol while the stream is down. */
  readonly stale: ReadonlySet<string>;
  readonly streamNote: StreamNote | undefined;
}

/** The dashboard's UI state, shared by every slice of the controller; components read slices of it. */
export type UiStore = Store<UiState>;

export const DEFAULT_WATCHLIST = ['AAPL', 'MSFT', 'GOOGL', 'AMZN', 'TSLA', 'NVDA'];

const isTheme = (v: unknown): v is Theme => v === 'dark' || v === 'light';
const isChartPrefs = (v: unknown): v is { interval: CandleInterval; chartType: ChartType; selected?: string } =>
  typeof v === 'object' && v !== null && INTERVAL_NAMES.includes((v as { interval: CandleInterval }).interval) && ['candles', 'line'].includes((v as { chartType: string }).chartType);
const DEFAULT_VIEW: ViewPrefs = { watchView: 'cards', tableSort: { key: 'symbol', descending: false }, logOpen: true, highFrequency: false, chartWindow: 'all', moversWindow: 'day' };
const isViewPrefs = (v: unknown): v is Partial<ViewPrefs> => typeof v === 'object' && v !== null;

/** Remembered view preferences, each field checked on its own so one bad value loses only itself. */
function loadView(storage: KeyValue | undefined): ViewPrefs {
  const v = load(storage, KEYS.view, isViewPrefs) ?? {};
  const sort = v.tableSort;
  return {
    watchView: v.watchView === 'table' ? 'table' : 'cards',
    tableSort: sort && SORT_KEYS.includes(sort.key) ? { key: sort.key, descending: sort.descending === true } : DEFAULT_VIEW.tableSort,
    logOpen: v.logOpen !== false,
    highFrequency: v.highFrequency === true,
    chartWindow: CHART_WINDOWS.includes(v.chartWindow as ChartWindow) ? (v.chartWindow as ChartWindow) : 'all',
    moversWindow: MOVERS_WINDOWS.includes(v.moversWindow as MoversWindow) ? (v.moversWindow as MoversWindow) : 'day',
  };
}

const isSession = (v: unknown): v is Session => typeof v === 'object' && v !== null && typeof (v as Session).token === 'string';

/** The state a visit starts from: remembered preferences, or the defaults. */
export function initialUiState(storage: KeyValue | undefined, prefersLight: boolean): UiState {
  const chosen = load(storage, KEYS.theme, isTheme);
  const prefs = load(storage, KEYS.chart, isChartPrefs);
  const watchlist = load(storage, KEYS.watchlist, isStringArray) ?? DEFAULT_WATCHLIST;
  const session = load(storage, KEYS.session, isSession);
  return {
    universe: [],
    watchlist,
    selected: prefs?.selected ?? watchlist[0],
    interval: prefs?.interval ?? '1s',
    chartType: prefs?.chartType ?? 'candles',
    overlays: loadOverlays(load(storage, KEYS.overlays, isStringArray)),
    paused: false,
    status: 'idle',
    retryAt: undefined,
    notices: [],
    toasts: [],
    theme: chosen ?? (prefersLight ? 'light' : 'dark'),
    themeChosen: chosen !== undefined,
    helpOpen: false,
    account: { available: undefined, session: isSessionUsable(session, Date.now()) ? session : undefined, alerts: [], error: undefined, busy: false },
    view: loadView(storage),
    chartPaused: false,
    stale: new Set(),
    streamNote: undefined,
  };
}

export function describeError(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (${error.code})`;
  return error instanceof Error ? error.message : String(error);
}
