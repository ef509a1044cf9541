import type { Tick } from './tick.js';

const DAY_MS = 86_400_000;

/** Session statistics of one symbol for one UTC day. */
export interface DailyStats {
  /** UTC day start, epoch ms. */
  day: number;
  open: number;
  high: number;
  low: number;
  last: number;
  volume: number;
  /** Σ price·size, kept so VWAP stays exact as ticks accumulate. */
  notional: number;
  trades: number;
}

export function utcDayStart(ts: number): number {
  return Math.floor(ts / DAY_MS) * DAY_MS;
}

/**
 * Folds an accepted tick (newer `seq` than any before) into the day's stats. A tick of a later day
 * starts a new session; a tick stamped with an earlier day than the current session still counts
 * toward volume and range of the current one, since it was accepted after it.
 */
export function addToDailyStats(stats: DailyStats | undefined, t: Tick): DailyStats {
  const day = utcDayStart(t.ts);
  if (stats === undefined || day > stats.day) {
    return { day, open: t.price, high: t.price, low: t.price, last: t.price, volume: t.size, notional: t.price * t.size, trades: 1 };
  }
  if (t.price > stats.high) stats.high = t.price;
  if (t.price < stats.low) stats.low = t.price;
  stats.last = t.price;
  stats.volume += t.size;
  stats.notional += t.price * t.size;
  stats.trades += 1;
  return stats;
}

/** What clients see for a symbol: the latest tick with the day's statistics around it. */
export interface Quote {
  symbol: string;
  price: number;
  size: number;
  seq: number;
  ts: number;
  timestamp: string;
  open: number;
  high: number;
  low: number;
  change: number;
  changePercent: number;
  volume: number;
  vwap: number;
  trades: number;
}

const round = (value: number, places: number): number => {
  const f = 10 ** places;
  return Math.round(value * f) / f;
};

export function toQuote(latest: Tick, stats: DailyStats): Quote {
  const change = latest.price - stats.open;
  return {
    symbol: latest.symbol,
    price: latest.price,
    size: latest.size,
    seq: latest.seq,
    ts: latest.ts,
    timestamp: new Date(latest.ts).toISOString(),
    open: stats.open,
    high: stats.high,
    low: stats.low,
    change: round(change, 4),
    changePercent: stats.open > 0 ? round((change / stats.open) * 100, 4) : 0,
    volume: stats.volume,
    vwap: stats.volume > 0 ? round(stats.notional / stats.volume, 4) : latest.price,
    trades: stats.trades,
  };
}

export interface Movers {
  gainers: Quote[];
  losers: Quote[];
  mostActive: Quote[];
}

export function topMovers(quotes: readonly Quote[], limit: number): Movers {
  const byChange = [...quotes].sort((a, b) => b.changePercent - a.changePercent || a.symbol.localeCompare(b.symbol));
  return {
    gainers: byChange.filter((q) => q.changePercent > 0).slice(0, limit),
    losers: byChange.filter((q) => q.changePercent < 0).reverse().slice(0, limit),
    mostActive: [...quotes].sort((a, b) => b.volume - a.volume || a.symbol.localeCompare(b.symbol)).slice(0, limit),
  };
}
