import { bucketStart, CANDLE_INTERVALS, type Candle, type CandleInterval } from '../candles.js';
import { utcDayStart } from '../daily-stats.js';

/**
 * Movers over a window of market time: the last minute, five minutes, hour, or the UTC day so far.
 * Each window is read from the candles of a finer interval (`base`), so it moves forward a base
 * candle at a time; its previous windows of the same length give the average volume that
 * "unusual volume" compares against.
 */
export const MOVER_WINDOWS = {
  '1m': { ms: 60_000, base: '1s' },
  '5m': { ms: 300_000, base: '1m' },
  '1h': { ms: 3_600_000, base: '1m' },
  day: { ms: 86_400_000, base: '1h' },
} as const satisfies Record<string, { ms: number; base: CandleInterval }>;
export type MoverWindow = keyof typeof MOVER_WINDOWS;
export const MOVER_WINDOW_NAMES = Object.keys(MOVER_WINDOWS) as MoverWindow[];

/** Previous windows averaged for unusual volume (fewer when the kept candles do not reach back). */
const AVERAGED_WINDOWS = 5;
/** Volume at least this many times its recent average is unusual. */
const UNUSUAL_VOLUME_RATIO = 2;

/** One symbol over one window. */
export interface WindowStats {
  symbol: string;
  /** Last trade price. */
  price: number;
  /** Price when the window began: the close before it, else the first open in it. */
  reference: number;
  change: number;
  changePercent: number;
  volume: number;
  trades: number;
  /** Mean volume of up to 5 previous windows of the same length; null when none is covered by kept candles. */
  averageVolume: number | null;
  /** volume / averageVolume; null without an average. */
  volumeRatio: number | null;
  /** Window start and end (exclusive), epoch ms of market time. */
  from: number;
  to: number;
}

const round = (value: number, places: number): number => Math.round(value * 10 ** places) / 10 ** places;

/**
 * The stats of one symbol for `window` ending with the base candle that holds `now` (market time:
 * the newest tick seen). `candles` are the symbol's base-interval candles, oldest first. Undefined
 * when the symbol did not trade in the window.
 */
export function windowStats(symbol: string, window: MoverWindow, candles: readonly Candle[], now: number): WindowStats | undefined {
  const { ms, base } = MOVER_WINDOWS[window];
  const baseMs = CANDLE_INTERVALS[base];
  const to = bucketStart(now, baseMs) + baseMs;
  const from = window === 'day' ? utcDayStart(now) : to - ms;
  let volume = 0;
  let trades = 0;
  let reference: number | undefined;
  let last: Candle | undefined;
  for (const c of candles) {
    if (c.time < from) {
      reference = c.close;
      continue;
    }
    if (c.time >= to) break;
    reference ??= c.open;
    volume += c.volume;
    trades += c.trades;
    last = c;
  }
  if (last === undefined || reference === undefined) return undefined;
  const averageVolume = previousAverage(candles, from, to - from, ms);
  const change = last.close - reference;
  return {
    symbol,
    price: last.close,
    reference,
    change: round(change, 4),
    changePercent: reference > 0 ? round((change / reference) * 100, 4) : 0,
    volume,
    trades,
    averageVolume,
    volumeRatio: averageVolume !== null && averageVolume > 0 ? round(volume / averageVolume, 4) : null,
    from,
    to,
  };
}

/**
 * Mean volume of the previous windows that the kept candles fully cover: the same `span` starting
 * `step`, 2·`step`, … earlier (for the day so far, the same hours of the previous days).
 */
function previousAverage(candles: readonly Candle[], from: number, span: number, step: number): number | null {
  const oldest = candles[0]?.time;
  if (oldest === undefined) return null;
  const volumes: number[] = [];
  for (let k = 1; k <= AVERAGED_WINDOWS && from - k * step >= oldest; k++) {
    const start = from - k * step;
    const end = start + span;
    let volume = 0;
    for (const c of candles) if (c.time >= start && c.time < end) volume += c.volume;
    volumes.push(volume);
  }
  return volumes.length === 0 ? null : volumes.reduce((a, b) => a + b, 0) / volumes.length;
}

export interface WindowMovers {
  window: MoverWindow;
  gainers: WindowStats[];
  losers: WindowStats[];
  mostActive: WindowStats[];
  /** Volume at least UNUSUAL_VOLUME_RATIO times its recent average, highest ratio first. */
  unusualVolume: WindowStats[];
}

/** Ranks the stats of every symbol like the day's movers, ties by symbol. */
export function rankWindowMovers(window: MoverWindow, stats: readonly WindowStats[], limit: number): WindowMovers {
  const bySymbol = (a: WindowStats, b: WindowStats): number => a.symbol.localeCompare(b.symbol);
  const byChange = [...stats].sort((a, b) => b.changePercent - a.changePercent || bySymbol(a, b));
  return {
    window,
    gainers: byChange.filter((s) => s.changePercent > 0).slice(0, limit),
    losers: byChange.filter((s) => s.changePercent < 0).reverse().slice(0, limit),
    mostActive: [...stats].sort((a, b) => b.volume - a.volume || bySymbol(a, b)).slice(0, limit),
    unusualVolume: stats
      .filter((s) => s.volumeRatio !== null && s.volumeRatio >= UNUSUAL_VOLUME_RATIO)
      .sort((a, b) => b.volumeRatio! - a.volumeRatio! || bySymbol(a, b))
      .slice(0, limit),
  };
}
