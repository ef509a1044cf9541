import { addToCandles, CANDLE_INTERVAL_NAMES, CANDLE_INTERVALS, candleView, type Candle, type CandleInterval, type CandleView } from '../../domain/candles.js';
import { addToDailyStats, toQuote, type DailyStats, type Quote } from '../../domain/daily-stats.js';
import type { IndicatorPoint } from '../../domain/analytics/symbol-analytics.js';
import type { MoverWindow, WindowStats } from '../../domain/analytics/window-movers.js';
import { continuesWithoutGap, type Tick } from '../../domain/tick.js';
import type { StoredIndicatorPoint } from '../../ports/analytics-store.js';
import type { ApplyResult, PriceStore, PriceStoreLimits } from '../../ports/price-store.js';
import { MemoryAnalytics } from './memory-analytics.js';
import { freshEpoch } from '../epoch.js';
import { RingBuffer } from './ring-buffer.js';

interface SymbolBook {
  latest: Tick;
  history: RingBuffer<Tick>;
  candles: Record<CandleInterval, Candle[]>;
  stats: DailyStats;
}

export class MemoryPriceStore implements PriceStore {
  private readonly books = new Map<string, SymbolBook>();
  private readonly analytics: MemoryAnalytics;
  /** This store's ticks live and die with the process: each one is its own sequence space. */
  private readonly epochId = freshEpoch();

  constructor(private readonly limits: PriceStoreLimits) {
    this.analytics = new MemoryAnalytics(limits.indicatorLimit ?? limits.candleLimit);
  }

  async start(): Promise<void> {}
  async close(): Promise<void> {}
  async ping(): Promise<void> {}

  async epoch(): Promise<string> {
    return this.epochId;
  }

  async applyTicks(ticks: readonly Tick[]): Promise<ApplyResult> {
    const accepted: Tick[] = [];
    let duplicates = 0;
    let stale = 0;
    for (const tick of ticks) {
      const book = this.books.get(tick.symbol);
      if (book === undefined) {
        this.books.set(tick.symbol, this.newBook(tick));
        accepted.push(tick);
        continue;
      }
      if (tick.seq === book.latest.seq) {
        duplicates++;
        continue;
      }
      if (tick.seq < book.latest.seq) {
        stale++;
        continue;
      }
      book.latest = tick;
      book.history.push(tick);
      for (const name of CANDLE_INTERVAL_NAMES) addToCandles(book.candles[name], tick, CANDLE_INTERVALS[name], this.limits.candleLimit);
      book.stats = addToDailyStats(book.stats, tick);
      accepted.push(tick);
    }
    return { accepted, duplicates, stale };
  }

  private newBook(tick: Tick): SymbolBook {
    const history = new RingBuffer<Tick>(this.limits.historyLimit);
    history.push(tick);
    const candles = {} as Record<CandleInterval, Candle[]>;
    for (const name of CANDLE_INTERVAL_NAMES) {
      candles[name] = [];
      addToCandles(candles[name], tick, CANDLE_INTERVALS[name], this.limits.candleLimit);
    }
    return { latest: tick, history, candles, stats: addToDailyStats(undefined, tick) };
  }

  async latest(symbol: string): Promise<Tick | undefined> {
    return this.books.get(symbol)?.latest;
  }

  async latestMany(symbols: readonly string[]): Promise<(Tick | undefined)[]> {
    return symbols.map((s) => this.books.get(s)?.latest);
  }

  async latestAll(): Promise<Tick[]> {
    return [...this.books.values()].map((b) => b.latest);
  }

  async recent(symbol: string, limit: number): Promise<Tick[]> {
    return this.books.get(symbol)?.history.newest(limit) ?? [];
  }

  async since(symbol: string, afterSeq: number): Promise<{ ticks: Tick[]; complete: boolean }> {
    const book = this.books.get(symbol);
    if (book === undefined) return { ticks: [], complete: afterSeq <= 0 };
    if (afterSeq >= book.latest.seq) return { ticks: [], complete: afterSeq === book.latest.seq };
    const ticks = book.history.after((t) => t.seq > afterSeq);
    const oldest = book.history.oldest();
    // Complete if history still holds the tick right after `afterSeq`, or reaches back past it.
    const complete = oldest !== undefined && oldest.seq <= afterSeq + 1 && continuesWithoutGap(ticks, afterSeq);
    return { ticks, complete };
  }

  async candles(symbol: string, interval: CandleInterval, limit: number): Promise<CandleView[]> {
    const series = this.books.get(symbol)?.candles[interval] ?? [];
    return series.slice(Math.max(0, series.length - limit)).map(candleView);
  }

  async quote(symbol: string): Promise<Quote | undefined> {
    const book = this.books.get(symbol);
    return book && toQuote(book.latest, book.stats);
  }

  async quotes(): Promise<Quote[]> {
    return [...this.books.values()].map((b) => toQuote(b.latest, b.stats));
  }

  putIndicators(points: readonly IndicatorPoint[]): Promise<void> {
    return this.analytics.putIndicators(points);
  }

  indicators(symbol: string, interval: CandleInterval, limit: number): Promise<StoredIndicatorPoint[]> {
    return this.analytics.indicators(symbol, interval, limit);
  }

  putWindowStats(window: MoverWindow, stats: readonly WindowStats[], gone?: readonly string[]): Promise<void> {
    return this.analytics.putWindowStats(window, stats, gone);
  }

  windowStats(window: MoverWindow): Promise<WindowStats[]> {
    return this.analytics.windowStats(window);
  }
}
