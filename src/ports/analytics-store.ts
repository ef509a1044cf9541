import type { IndicatorValues } from '../domain/analytics/catalogue.js';
import type { IndicatorPoint } from '../domain/analytics/symbol-analytics.js';
import type { MoverWindow, WindowStats } from '../domain/analytics/window-movers.js';
import type { CandleInterval } from '../domain/candles.js';

/**
 * What the analytics role writes to the price store and every API or gateway process reads back.
 * Part of the PriceStore contract (test/contracts/price-store, "analytics" cases).
 *
 * Guarantees:
 * - **One point per candle.** `putIndicators` stores each point under (symbol, interval, time),
 *   replacing a point of the same candle: a forming candle's values are overwritten tick after
 *   tick, never accumulated. Points of one call are applied in order, so the last one of a candle wins.
 * - **Bounded.** Each symbol and interval keeps the `indicatorLimit` newest candles' points.
 * - **Window stats replace per symbol.** `putWindowStats` overwrites the stats of the symbols it
 *   names in that window, deletes those of the symbols in `gone` (quiet: no trade in the window
 *   any more) and leaves the others, so several analytics members, each owning some symbols, fill
 *   one table together.
 * - **Read-your-writes**, as for ticks.
 */
export interface AnalyticsStore {
  putIndicators(points: readonly IndicatorPoint[]): Promise<void>;
  /** Oldest first, the newest `limit` candles that have a point. */
  indicators(symbol: string, interval: CandleInterval, limit: number): Promise<StoredIndicatorPoint[]>;
  putWindowStats(window: MoverWindow, stats: readonly WindowStats[], gone?: readonly string[]): Promise<void>;
  /** Every symbol's stats for the window, in no particular order. */
  windowStats(window: MoverWindow): Promise<WindowStats[]>;
}

export interface StoredIndicatorPoint {
  readonly time: number;
  readonly values: IndicatorValues;
}
