import { candleView, type Candle, type CandleInterval, type CandleView } from '../../domain/candles.js';
import type { DailyStats } from '../../domain/daily-stats.js';
import type { Tick } from '../../domain/tick.js';

/**
 * Fields of a candle member in the candle sorted sets, joined by `|` (the score is the bucket
 * start). Numbers are written with String(), whose shortest form reads back as the same double.
 */
const CANDLE_MEMBER_FIELDS = ['time', 'open', 'high', 'low', 'close', 'volume', 'trades', 'openTs', 'openSeq', 'closeTs', 'closeSeq'] as const;

/**
 * Key layout of RedisPriceStore. Per-symbol keys carry the symbol as a hash tag (`{AAPL}`), so all
 * the keys one tick touches would share a Redis Cluster slot; the registry is the one global key.
 */
export function priceStoreKeys(prefix: string) {
  return {
    symbols: `${prefix}symbols`,
    /** The stream epoch; never expires, so only a wipe makes a new one. */
    epoch: `${prefix}epoch`,
    latest: (symbol: string) => `${prefix}latest:{${symbol}}`,
    history: (symbol: string) => `${prefix}history:{${symbol}}`,
    stats: (symbol: string) => `${prefix}stats:{${symbol}}`,
    candles: (symbol: string, interval: CandleInterval) => `${prefix}candles:${interval}:{${symbol}}`,
  };
}

/** The stored form of a tick: the same JSON as tickCodec, so the Lua side can read `seq` with cjson. */
export function encodeTick(t: Tick): string {
  return JSON.stringify({ symbol: t.symbol, price: t.price, size: t.size, ts: t.ts, seq: t.seq, source: t.source });
}

/** Reads back what encodeTick wrote; anything else (a foreign writer under our prefix) reads as absent. */
export function decodeTick(raw: string | null | undefined): Tick | undefined {
  if (raw === null || raw === undefined) return undefined;
  try {
    const v = JSON.parse(raw) as Record<string, unknown>;
    const { symbol, price, size, ts, seq, source } = v;
    if (typeof symbol !== 'string' || typeof price !== 'number' || typeof size !== 'number') return undefined;
    if (typeof ts !== 'number' || typeof seq !== 'number' || typeof source !== 'string') return undefined;
    return { symbol, price, size, ts, seq, source };
  } catch {
    return undefined;
  }
}

const FIELD = Object.fromEntries(CANDLE_MEMBER_FIELDS.map((name, i) => [name, i])) as Record<(typeof CANDLE_MEMBER_FIELDS)[number], number>;

export function encodeCandle(c: Candle): string {
  return CANDLE_MEMBER_FIELDS.map((name) => String(c[name])).join('|');
}

/** A stored candle with its bookkeeping fields, as the writer needs it to merge more ticks in. */
export function decodeStoredCandle(member: string): Candle {
  const f = member.split('|').map(Number);
  const at = (name: keyof typeof FIELD): number => f[FIELD[name]] ?? Number.NaN;
  return {
    time: at('time'),
    open: at('open'),
    high: at('high'),
    low: at('low'),
    close: at('close'),
    volume: at('volume'),
    trades: at('trades'),
    openTs: at('openTs'),
    openSeq: at('openSeq'),
    closeTs: at('closeTs'),
    closeSeq: at('closeSeq'),
  };
}

export function decodeCandle(member: string): CandleView {
  return candleView(decodeStoredCandle(member));
}

const STATS_FIELDS = ['day', 'open', 'high', 'low', 'last', 'volume', 'notional', 'trades'] as const;

/** The day-stats hash as field/value pairs. */
export function encodeStats(stats: DailyStats): string[] {
  return STATS_FIELDS.flatMap((field) => [field, String(stats[field])]);
}

/** The day-stats hash as the domain type, or undefined when the symbol has none. */
export function decodeStats(hash: Record<string, string>): DailyStats | undefined {
  if (hash.day === undefined) return undefined;
  return Object.fromEntries(STATS_FIELDS.map((field) => [field, Number(hash[field])])) as unknown as DailyStats;
}
