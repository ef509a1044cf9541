import type { ActivityLog } from '../lib/activity.js';
import { price as fmtPrice } from '../lib/format.js';
import type { FrameScheduler } from '../lib/frame.js';
import type { MarketStore } from '../lib/market.js';
import { TickstreamClient, type ConnectionStatus, type SocketLike } from '../../../src/client/index.js';
import type { StreamStats } from '../lib/stats.js';
import type { Alert, Tick } from '../lib/types.js';
import type { IndicatorStore } from '../lib/indicators.js';
import type { IndicatorSelection } from '../../../src/client/index.js';
import type { Notices } from './notices.js';
import type { UiStore } from './state.js';

export interface StreamDeps {
  readonly ui: UiStore;
  readonly scheduler: FrameScheduler;
  readonly market: MarketStore;
  readonly activity: ActivityLog;
  readonly stats: StreamStats;
  readonly notices: Notices;
  /** The chart must reload from REST when history could not be replayed for its symbol. */
  readonly reloadChart: (symbol: string) => void;
  /** The watchlist drops symbols the server refused. */
  readonly dropSymbols: (symbols: readonly string[]) => void;
  readonly accountsUnavailable: () => void;
  readonly alertTriggered: () => void;
  /** The server refused the session's token: forget it. */
  readonly signedOut: (reason: string) => void;
  /** Indicator snapshots and updates for the chart's overlays. */
  readonly indicators: IndicatorStore;
  /** The server refused indicator streams: they leave the overlay choice. */
  readonly indicatorsRejected: (indicators: IndicatorSelection, code: string, message: string) => void;
  /** The socket authenticated (again): what it missed while down is loaded afresh. */
  readonly authenticated: () => void;
  /** Messages for the signed-in user other than alerts: `order` and `portfolio` (paper trading). */
  readonly userMessage: (message: { type: string } & Record<string, unknown>) => void;
}

const tickLine = (t: Tick): string => `${t.symbol} ${fmtPrice(t.price)} × ${t.size} (seq ${t.seq})`;

/** In high-frequency mode the log keeps one tick line per this many milliseconds. */
const SAMPLED_LOG_MS = 250;

/** The socket and what its events do to the page: stores, activity lines, notices. */
export class Stream {
  readonly socket: TickstreamClient;
  /** After a reconnect: when the socket opened again, and how many replayed ticks came since. */
  private resume: { openedAt: number; replayed: number; lost: Set<string> } | undefined;
  private lastLoggedTick = 0;
  private skippedTicks = 0;

  constructor(private readonly deps: StreamDeps) {
    const wsUrl = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
    this.socket = new TickstreamClient({
      url: wsUrl,
      symbols: [],
      // The browser's WebSocket has these members; its handlers take richer event types.
      create: (url) => new WebSocket(url) as unknown as SocketLike,
      events: {
        ticks: (ticks, receivedAt, live) => this.onTicks(ticks, receivedAt, live),
        status: (status, detail) => this.onStatus(status, detail),
        recovery: (symbol, recovered) => this.onRecovery(symbol, recovered),
        epochChanged: (previous, epoch) => this.onEpochChanged(previous, epoch),
        tokenRejected: () => deps.activity.add('error', 'The server refused the saved token; streaming anonymously. Log in again for alerts.'),
        terminated: (code, reason) => deps.activity.add('error', `The server closed the stream for good (${code} ${reason}).`),
        rejected: (symbols, code, message) => this.onRejected(symbols, code, message),
        serverError: (code, message) => this.onServerError(code, message),
        authenticated: (user) => {
          deps.activity.add('system', `Socket authenticated as ${user.username}.`);
          deps.authenticated();
        },
        alert: (alert, price) => this.onAlert(alert, price),
        indicatorSnapshot: (snapshot) => deps.indicators.snapshot(snapshot),
        indicator: (update) => deps.indicators.update(update),
        indicatorsRejected: (indicators, code, message) => deps.indicatorsRejected(indicators, code, message),
        message: (message) => deps.userMessage(message),
      },
    });
  }

  toggleConnection(): void {
    if (this.socket.status === 'closed') this.socket.connect();
    else this.socket.disconnect();
  }

  setPaused(paused: boolean): void {
    const { scheduler, ui, activity, market } = this.deps;
    scheduler.setPaused(paused);
    ui.set({ paused });
    activity.add('system', paused ? 'Stream paused: the socket stays open, the screen stops updating.' : 'Stream resumed: showing the latest state.');
    if (!paused) market.invalidateChart();
  }

  private onTicks(ticks: Tick[], receivedAt: number, live: Tick[]): void {
    const { stats, market } = this.deps;
    stats.record(live.map((t) => t.ts), receivedAt, ticks.length);
    market.applyTicks(ticks, receivedAt);
    this.countReplayed(ticks);
    this.logTicks(ticks, receivedAt);
  }

  /** Every tick in the log, or in high-frequency mode one line per interval saying how many it stands for. */
  private logTicks(ticks: Tick[], receivedAt: number): void {
    const { activity, ui } = this.deps;
    if (!ui.get().view.highFrequency) {
      for (const t of ticks) activity.add('tick', () => tickLine(t), receivedAt);
      return;
    }
    this.skippedTicks += ticks.length;
    const last = ticks[ticks.length - 1];
    if (!last || receivedAt - this.lastLoggedTick < SAMPLED_LOG_MS) return;
    const more = this.skippedTicks - 1;
    activity.add('tick', () => (more > 0 ? `${tickLine(last)} (+${more} more)` : tickLine(last)), receivedAt);
    this.lastLoggedTick = receivedAt;
    this.skippedTicks = 0;
  }

  /**
   * Ticks stamped before the socket opened again were produced while the page was away: the
   * server replayed them. Their count is what "resumed — N ticks replayed" says.
   */
  private countReplayed(ticks: Tick[]): void {
    const resume = this.resume;
    if (!resume) return;
    let replayed = 0;
    for (const t of ticks) if (t.ts < resume.openedAt) replayed++;
    if (replayed === 0) return;
    resume.replayed += replayed;
    this.showResume();
  }

  private showResume(): void {
    const resume = this.resume;
    if (!resume) return;
    this.deps.ui.set({ streamNote: resume.lost.size > 0 ? { kind: 'historyLost', symbols: [...resume.lost].sort() } : { kind: 'resumed', replayed: resume.replayed } });
  }

  /** Ctrl+R: forget prices, chart, log and statistics, then load everything afresh. */
  clearAll(): void {
    const { market, activity, stats } = this.deps;
    market.clear();
    activity.clear();
    stats.reset();
    this.resume = undefined;
    this.deps.ui.set({ streamNote: undefined });
    activity.add('system', 'Cleared all data; loading afresh.');
  }

  private onStatus(status: ConnectionStatus, detail: { attempt: number; delayMs?: number; code?: number; reason?: string }): void {
    const { ui, activity } = this.deps;
    const was = ui.get().status;
    ui.set({ status, retryAt: detail.delayMs !== undefined ? Date.now() + detail.delayMs : undefined });
    if (status === 'reconnecting' || status === 'closed') {
      this.resume = undefined;
      if (ui.get().streamNote?.kind !== 'signedOut') ui.set({ streamNote: undefined });
    }
    if (status === 'open') {
      const since = Object.keys(this.socket.positions).length;
      // Any open with positions is a resume (after a drop or a Disconnect/Connect): say how it went.
      if (since > 0) {
        this.resume = { openedAt: Date.now(), replayed: 0, lost: new Set() };
        this.showResume();
      } else if (ui.get().streamNote?.kind !== 'signedOut') ui.set({ streamNote: undefined });
      activity.add('system', was === 'reconnecting' ? `Reconnected; resuming ${since} symbol(s) from their last seq.` : 'Connected.');
    } else if (status === 'reconnecting' && detail.delayMs !== undefined) {
      const why = detail.reason ? `${detail.code} ${detail.reason}` : String(detail.code ?? '');
      activity.add('error', `Connection lost (${why.trim() || 'no reason'}); retrying in ${(detail.delayMs / 1000).toFixed(1)} s (attempt ${detail.attempt}).`);
    } else if (status === 'closed') activity.add('system', 'Disconnected.');
  }

  private onRecovery(symbol: string, recovered: boolean): void {
    const { activity, notices, ui } = this.deps;
    if (recovered) {
      activity.add('system', `${symbol}: missed ticks replayed, no gap.`);
      return;
    }
    this.resume?.lost.add(symbol);
    this.showResume();
    notices.groupNotice('unrecovered', symbol, (list) => `Ticks missed while disconnected could not be recovered for ${list} (history no longer reaches back): showing the latest prices; the chart was reloaded from the server.`);
    activity.add('error', `${symbol}: recovered=false, fresh snapshot.`);
    if (ui.get().selected === symbol) this.deps.reloadChart(symbol);
  }

  private onEpochChanged(previous: string, epoch: string): void {
    this.deps.notices.groupNotice('reset', 'stream', () => `The server's sequence restarted (it was probably restarted): live again; ticks from while it was down do not exist.`);
    this.deps.activity.add('error', `Stream epoch changed (${previous} → ${epoch}): sequences restarted.`);
  }

  private onRejected(symbols: string[], code: string, message: string): void {
    const { notices, activity, ui } = this.deps;
    notices.notice('error', `${code}: ${message}`);
    activity.add('error', `Subscribe refused (${code}): ${message}`);
    const { universe } = ui.get();
    // The refusal is whole: keep (and subscribe again) the symbols that are known to be traded.
    const bad = code === 'UNKNOWN_SYMBOL' && universe.length > 0 ? symbols.filter((s) => !universe.includes(s)) : symbols;
    const retry = bad.length > 0 ? symbols.filter((s) => !bad.includes(s)) : [];
    this.deps.dropSymbols(bad);
    if (retry.length > 0) this.socket.subscribe(retry);
  }

  private onServerError(code: string, message: string): void {
    if (code === 'AUTH_NOT_AVAILABLE') {
      this.deps.accountsUnavailable();
      return;
    }
    if (code === 'INVALID_TOKEN') {
      // The session is no good any more: go on anonymously instead of retrying the same token.
      this.deps.signedOut(message);
    }
    this.deps.activity.add('error', `${code}: ${message}`);
  }

  private onAlert(alert: Alert, price: number): void {
    const text = `${alert.symbol} ${alert.condition.replace('_', ' ')} ${alert.threshold} — now ${fmtPrice(price)}${alert.note ? ` (${alert.note})` : ''}`;
    this.deps.notices.toast('Alert triggered', text);
    this.deps.activity.add('alert', text);
    this.deps.alertTriggered();
  }
}
