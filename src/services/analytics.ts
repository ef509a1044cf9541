import type { IndicatorSpec } from '../domain/analytics/catalogue.js';
import { SymbolAnalytics, type IndicatorPoint } from '../domain/analytics/symbol-analytics.js';
import { MOVER_WINDOW_NAMES, MOVER_WINDOWS, windowStats, type WindowStats } from '../domain/analytics/window-movers.js';
import { CANDLE_INTERVAL_NAMES, type CandleInterval, type CandleView } from '../domain/candles.js';
import type { Tick } from '../domain/tick.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Consumer, EventLog, LogRecord } from '../ports/event-log.js';
import type { Service } from '../ports/lifecycle.js';
import type { PriceStore } from '../ports/price-store.js';

export interface AnalyticsDeps {
  readonly log: EventLog<Tick>;
  readonly store: PriceStore;
  readonly spec: IndicatorSpec;
  /** The store's candle limit: the role keeps as many candles, so a rebuild sees what it saw. */
  readonly candleLimit: number;
  readonly maxBatch: number;
  /** How often the window stats behind the movers are recomputed and stored. */
  readonly moversEveryMs: number;
  readonly group?: string;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Wall clock, read to let market time run on while every owned symbol is quiet (tests set it). */
  readonly clock?: () => number;
  /** Told of every batch's new indicator points once they are stored (published to gateways: see wiring/compose.ts). */
  readonly onPoints?: (points: readonly IndicatorPoint[]) => Promise<void>;
}

/**
 * The analytics role: its own consumer group on the tick log, so it never slows the processor.
 * Per symbol it builds the same candles as the price store and feeds them to the indicators
 * (domain/analytics): each tick replaces the forming candle's values, each new candle closes the
 * previous one. Every batch's points go to the store in one write; the window stats behind the
 * movers are recomputed on a timer, since windows slide with time even when a symbol is quiet.
 *
 * Restart: before consuming, the role rebuilds every symbol from the store's candles and latest
 * tick, and then skips ticks whose `seq` the store already holds, so it continues with the values
 * it had. The one gap: ticks this group acknowledged that the processor has not stored yet are
 * not in the candles it rebuilds from (the processor normally leads, being on the tick path).
 */
export class AnalyticsService implements Service {
  readonly name = 'analytics';
  private readonly symbols = new Map<string, SymbolAnalytics>();
  /** Symbols whose ticks this member received: the ones whose window stats it owns. */
  private readonly owned = new Set<string>();
  /** Market time: the newest source timestamp seen… */
  private now = 0;
  /** …and the wall-clock time it was seen at: windows keep sliding while nothing trades. */
  private nowSeenAt = 0;
  /** Per window, the symbols whose stats this member stored last: the ones to delete when they go quiet. */
  private readonly listed = new Map<(typeof MOVER_WINDOW_NAMES)[number], Set<string>>();
  private consumer: Consumer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private moversRun: Promise<void> = Promise.resolve();

  constructor(private readonly deps: AnalyticsDeps) {}

  get group(): string {
    return this.deps.group ?? 'analytics';
  }

  async start(): Promise<void> {
    await this.restore();
    this.consumer = await this.deps.log.consume({ group: this.group, maxBatch: this.deps.maxBatch, from: 'earliest' }, async (records) => {
      await this.handle(records);
    });
    this.timer = setInterval(() => {
      this.moversRun = this.moversRun.then(() => this.storeWindowStats()).catch((err: unknown) => this.deps.logger.warn({ err }, 'storing window stats failed'));
    }, this.deps.moversEveryMs);
    this.timer.unref();
    this.deps.logger.info({ group: this.group, symbols: this.symbols.size }, 'analytics started');
  }

  /** Rebuilds every stored symbol from its candles and latest tick. */
  private async restore(): Promise<void> {
    const { store } = this.deps;
    for (const latest of await store.latestAll()) {
      const candles = {} as Record<CandleInterval, CandleView[]>;
      for (const interval of CANDLE_INTERVAL_NAMES) candles[interval] = await store.candles(latest.symbol, interval, this.deps.candleLimit);
      const analytics = this.symbolOf(latest.symbol);
      analytics.restore(candles, latest);
      // The previous run may have stored its window stats: they must go too when it turns quiet.
      for (const window of MOVER_WINDOW_NAMES) this.listed.set(window, (this.listed.get(window) ?? new Set()).add(latest.symbol));
      if (latest.ts > this.now) this.advance(latest.ts);
    }
  }

  private get clock(): () => number {
    return this.deps.clock ?? Date.now;
  }

  private advance(ts: number): void {
    this.now = ts;
    this.nowSeenAt = this.clock();
  }

  /**
   * Market time now: the newest tick's time plus the wall-clock time since it was seen. Without
   * the second part a market that went quiet would freeze every window at its last trade, and
   * symbols that stopped trading would stay in the 1m movers for ever.
   */
  marketNow(): number {
    return this.now + Math.max(0, this.clock() - this.nowSeenAt);
  }

  /** Exposed for tests and the benchmark, which drive the role without a log. */
  async handle(records: readonly LogRecord<Tick>[]): Promise<IndicatorPoint[]> {
    const touched = new Set<SymbolAnalytics>();
    // A tick that opens a candle adds the final values of the one it closes here: they must be
    // stored too, or a closed candle would keep the values of the batch before.
    const points: IndicatorPoint[] = [];
    for (const { value: tick } of records) {
      const analytics = this.symbolOf(tick.symbol);
      this.owned.add(tick.symbol);
      if (!analytics.add(tick, points)) continue;
      touched.add(analytics);
      // Before the first tick market time is wall-clock time (now = 0): a market replayed from
      // the past would never move it, and every window would be empty.
      if (this.nowSeenAt === 0 || tick.ts > this.marketNow()) this.advance(tick.ts);
    }
    for (const analytics of touched) analytics.flush(points);
    if (points.length === 0) return points;
    await this.deps.store.putIndicators(points);
    await this.deps.onPoints?.(points);
    return points;
  }

  private symbolOf(symbol: string): SymbolAnalytics {
    let analytics = this.symbols.get(symbol);
    if (analytics === undefined) {
      analytics = new SymbolAnalytics(symbol, this.deps.spec, this.deps.candleLimit);
      this.symbols.set(symbol, analytics);
    }
    return analytics;
  }

  /** Each window's stats of the symbols this member owns, as of market time now. */
  windowStats(): Map<(typeof MOVER_WINDOW_NAMES)[number], WindowStats[]> {
    const out = new Map<(typeof MOVER_WINDOW_NAMES)[number], WindowStats[]>();
    const now = this.marketNow();
    for (const window of MOVER_WINDOW_NAMES) {
      const stats: WindowStats[] = [];
      for (const symbol of this.owned) {
        const s = windowStats(symbol, window, this.symbols.get(symbol)!.candles(MOVER_WINDOWS[window].base), now);
        if (s !== undefined) stats.push(s);
      }
      out.set(window, stats);
    }
    return out;
  }

  /**
   * Stores every window's stats, and deletes the stored stats of symbols that no longer traded in
   * the window (the store would otherwise keep serving their last stats as if current).
   */
  async storeWindowStats(): Promise<void> {
    const at = this.marketNow();
    for (const [window, stats] of this.windowStats()) {
      const listed = new Set(stats.map((s) => s.symbol));
      const gone: string[] = [];
      for (const symbol of this.listed.get(window) ?? []) {
        if (listed.has(symbol)) continue;
        // A symbol restored from the store but not (yet) traded here may be another member's:
        // its stats go only once this member's copy of its candles says it is quiet too.
        const quiet = this.owned.has(symbol) || windowStats(symbol, window, this.symbols.get(symbol)!.candles(MOVER_WINDOWS[window].base), at) === undefined;
        if (quiet) gone.push(symbol);
        else listed.add(symbol);
      }
      await this.deps.store.putWindowStats(window, stats, gone);
      this.listed.set(window, listed);
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.consumer?.stop();
    this.consumer = undefined;
    await this.moversRun;
    await this.storeWindowStats().catch((err: unknown) => this.deps.logger.warn({ err }, 'storing window stats failed'));
  }
}
