import { CandleSeries } from './candles.js';
import { Listeners, type FrameScheduler } from './frame.js';
import { INTERVALS, type Candle, type CandleInterval, type Quote, type Tick } from './types.js';

const DAY_MS = 86_400_000;
/** How long a card's price stays tinted after it moved. */
export const FLASH_MS = 450;

/** What a watchlist card shows; a new object whenever it changed, so React can compare by reference. */
export interface QuoteView {
  readonly symbol: string;
  readonly price: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly change: number;
  readonly changePercent: number;
  readonly volume: number;
  readonly seq: number;
  readonly ts: number;
  /** Last move: 1 up, -1 down, 0 unchanged. */
  readonly direction: 1 | -1 | 0;
  /** Counts redraws with news. */
  readonly updates: number;
  /**
   * The tint of a recent move (1 up, -1 down, 0 none): set on the redraw that shows the move and
   * cleared by a redraw {@link FLASH_MS} after the last one. A class that changes only when the
   * card is redrawn anyway; an animation would need style and paint on every frame.
   */
  readonly flash: 1 | -1 | 0;
  readonly spark: readonly number[];
}

interface LiveQuote {
  symbol: string;
  price: number;
  open: number;
  high: number;
  low: number;
  volume: number;
  seq: number;
  ts: number;
  day: number;
  direction: 1 | -1 | 0;
  /** The price changed since the last redraw. */
  moved: boolean;
  spark: number[];
}

export interface ChartState {
  readonly symbol: string;
  readonly interval: CandleInterval;
  readonly series: CandleSeries;
  readonly loading: boolean;
}

/**
 * Quotes, sparklines and the chart's candles, fed by ticks at any rate and drawn once per frame.
 * No DOM and no I/O: the controller fetches REST data and hands it over.
 */
export class MarketStore {
  private readonly live = new Map<string, LiveQuote>();
  private readonly views = new Map<string, QuoteView>();
  private readonly dirty = new Set<string>();
  /** When each symbol last had news here (receipt time, not the source's `ts`). */
  private readonly received = new Map<string, number>();
  private chartState: { symbol: string; interval: CandleInterval; series: CandleSeries; buffered: Tick[] | undefined } | undefined;
  private chartDirty = false;
  /** When each tinted card's last move was drawn. */
  private readonly flashedAt = new Map<string, number>();
  private flashTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly quoteListeners = new Listeners();
  private readonly chartListeners = new Listeners();

  constructor(
    private readonly scheduler: FrameScheduler,
    private readonly sparkLength = 60,
    private readonly now: () => number = () => Date.now(),
  ) {
    scheduler.onFlush(() => this.flush());
  }

  readonly subscribeQuotes = this.quoteListeners.subscribe;
  readonly subscribeChart = this.chartListeners.subscribe;

  quote(symbol: string): QuoteView | undefined {
    return this.views.get(symbol);
  }

  updatedAt(symbol: string): number | undefined {
    return this.received.get(symbol);
  }

  /** Forgets everything (Ctrl+R "clear all data"); the chart waits for `loadChart` again. */
  clear(): void {
    this.live.clear();
    this.views.clear();
    this.received.clear();
    this.dirty.clear();
    if (this.chartState) this.setChart(this.chartState.symbol, this.chartState.interval);
    this.quoteListeners.notify();
  }

  get chart(): ChartState | undefined {
    const c = this.chartState;
    return c && { symbol: c.symbol, interval: c.interval, series: c.series, loading: c.buffered !== undefined };
  }

  /** Day statistics from REST; a quote older than what the stream already brought is ignored. */
  seedQuotes(quotes: readonly Quote[]): void {
    for (const q of quotes) {
      // A REST quote is as fresh as its last trade: an old one shows stale until the stream speaks.
      this.received.set(q.symbol, Math.max(this.received.get(q.symbol) ?? 0, q.ts));
      const known = this.live.get(q.symbol);
      if (known && known.seq >= q.seq) {
        known.open = q.open;
        known.high = Math.max(known.high, q.high);
        known.low = Math.min(known.low, q.low);
        known.volume = Math.max(known.volume, q.volume);
      } else {
        this.live.set(q.symbol, {
          symbol: q.symbol, price: q.price, open: q.open, high: q.high, low: q.low, volume: q.volume,
          seq: q.seq, ts: q.ts, day: Math.floor(q.ts / DAY_MS), direction: known?.direction ?? 0, moved: false, spark: known?.spark ?? [q.price],
        });
      }
      this.touch(q.symbol);
    }
  }

  /** Recent prices (oldest first) for a sparkline that starts full. */
  seedSpark(symbol: string, prices: readonly number[]): void {
    const q = this.live.get(symbol);
    if (!q) return;
    q.spark = [...prices, ...q.spark.slice(1)].slice(-this.sparkLength);
    this.touch(symbol);
  }

  applyTicks(ticks: readonly Tick[], receivedAt = Date.now()): void {
    const chart = this.chartState;
    for (const t of ticks) {
      this.received.set(t.symbol, receivedAt);
      this.applyQuote(t);
      if (chart && t.symbol === chart.symbol) {
        if (chart.buffered) chart.buffered.push(t);
        else chart.series.add(t);
        this.chartDirty = true;
      }
    }
    if (ticks.length > 0) this.scheduler.request();
  }

  /** Shows another symbol or interval: empty until `loadChart` hands over the history. */
  setChart(symbol: string, interval: CandleInterval): void {
    this.chartState = { symbol, interval, series: new CandleSeries(INTERVALS[interval]), buffered: [] };
    this.chartDirty = true;
    this.scheduler.request();
  }

  /** REST candles for the chart shown; ticks that came during the request are added on top. */
  loadChart(symbol: string, interval: CandleInterval, history: readonly Candle[]): void {
    const chart = this.chartState;
    if (!chart || chart.symbol !== symbol || chart.interval !== interval) return;
    chart.series.load(history);
    const lastTime = history[history.length - 1]?.time ?? -Infinity;
    for (const t of chart.buffered ?? []) if (t.ts >= lastTime) chart.series.add(t);
    chart.buffered = undefined;
    this.chartDirty = true;
    this.scheduler.request();
  }

  /** Redraws the chart now (after a pause the chart is the only thing that must catch up fully). */
  invalidateChart(): void {
    this.chartState?.series.invalidate();
    this.chartDirty = true;
    this.scheduler.request();
  }

  private applyQuote(t: Tick): void {
    const day = Math.floor(t.ts / DAY_MS);
    let q = this.live.get(t.symbol);
    if (!q || day > q.day) {
      q = { symbol: t.symbol, price: t.price, open: t.price, high: t.price, low: t.price, volume: 0, seq: t.seq, ts: t.ts, day, direction: 0, moved: false, spark: q?.spark ?? [] };
      this.live.set(t.symbol, q);
    }
    if (t.price !== q.price) q.moved = true;
    q.direction = t.price > q.price ? 1 : t.price < q.price ? -1 : q.direction;
    q.price = t.price;
    q.high = Math.max(q.high, t.price);
    q.low = Math.min(q.low, t.price);
    q.volume += t.size;
    q.seq = t.seq;
    q.ts = t.ts;
    q.spark.push(t.price);
    if (q.spark.length > this.sparkLength * 2) q.spark.splice(0, q.spark.length - this.sparkLength);
    this.dirty.add(t.symbol);
  }

  private touch(symbol: string): void {
    this.dirty.add(symbol);
    this.scheduler.request();
  }

  private flush(): void {
    const now = this.now();
    let changed = false;
    for (const symbol of this.dirty) {
      const q = this.live.get(symbol);
      if (!q) continue;
      const previous = this.views.get(symbol);
      let flash = previous?.flash ?? 0;
      // A move shows as a tint from its second update on (the first only fills the card).
      if (q.moved && previous !== undefined && q.direction !== 0) {
        flash = q.direction;
        this.flashedAt.set(symbol, now);
      }
      q.moved = false;
      const change = q.price - q.open;
      this.views.set(symbol, {
        symbol, price: q.price, open: q.open, high: q.high, low: q.low,
        change, changePercent: q.open > 0 ? (change / q.open) * 100 : 0,
        volume: q.volume, seq: q.seq, ts: q.ts, direction: q.direction,
        updates: (previous?.updates ?? 0) + 1, flash,
        spark: q.spark.slice(-this.sparkLength),
      });
      changed = true;
    }
    this.dirty.clear();
    for (const [symbol, at] of this.flashedAt) {
      if (now - at < FLASH_MS) continue;
      this.flashedAt.delete(symbol);
      const view = this.views.get(symbol);
      if (view && view.flash !== 0) {
        this.views.set(symbol, { ...view, flash: 0 });
        changed = true;
      }
    }
    // Quiet cards lose their tint on a redraw of their own.
    if (this.flashedAt.size > 0 && this.flashTimer === undefined) {
      this.flashTimer = setTimeout(() => {
        this.flashTimer = undefined;
        this.scheduler.request();
      }, FLASH_MS);
    }
    if (changed) this.quoteListeners.notify();
    if (this.chartDirty) {
      this.chartDirty = false;
      this.chartListeners.notify();
    }
  }
}
