import type { IndicatorPoint } from '../../domain/analytics/symbol-analytics.js';
import type { MoverWindow, WindowStats } from '../../domain/analytics/window-movers.js';
import type { CandleInterval } from '../../domain/candles.js';
import type { AnalyticsStore, StoredIndicatorPoint } from '../../ports/analytics-store.js';

/** The analytics half of MemoryPriceStore. */
export class MemoryAnalytics implements AnalyticsStore {
  /** Points oldest first per `symbol interval`. */
  private readonly points = new Map<string, StoredIndicatorPoint[]>();
  private readonly windows = new Map<MoverWindow, Map<string, WindowStats>>();

  constructor(private readonly limit: number) {}

  async putIndicators(points: readonly IndicatorPoint[]): Promise<void> {
    for (const p of points) {
      const key = `${p.symbol} ${p.interval}`;
      let series = this.points.get(key);
      if (series === undefined) this.points.set(key, (series = []));
      const point = { time: p.time, values: p.values };
      let i = series.length - 1;
      while (i >= 0 && series[i]!.time > p.time) i--;
      if (i >= 0 && series[i]!.time === p.time) series[i] = point;
      else series.splice(i + 1, 0, point);
      if (series.length > this.limit) series.splice(0, series.length - this.limit);
    }
  }

  async indicators(symbol: string, interval: CandleInterval, limit: number): Promise<StoredIndicatorPoint[]> {
    const series = this.points.get(`${symbol} ${interval}`) ?? [];
    return series.slice(Math.max(0, series.length - Math.floor(limit)));
  }

  async putWindowStats(window: MoverWindow, stats: readonly WindowStats[], gone: readonly string[] = []): Promise<void> {
    let table = this.windows.get(window);
    if (table === undefined) this.windows.set(window, (table = new Map()));
    for (const s of stats) table.set(s.symbol, s);
    for (const symbol of gone) table.delete(symbol);
  }

  async windowStats(window: MoverWindow): Promise<WindowStats[]> {
    return [...(this.windows.get(window)?.values() ?? [])];
  }
}
