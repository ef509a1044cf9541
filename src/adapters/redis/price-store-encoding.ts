import type { CandleInterval, CandleView } from '../../domain/candles.js';
import type { DailyStats } from '../../domain/daily-stats.js';
import type { Tick } from '../../domain/tick.js';
import { CANDLE_MEMBER_FIELDS } from './lua/apply-tick.js';

/**
 * Key layout of RedisPriceStore. Per-symbol keys carry the symbol as a hash tag (`{AAPL}`), so all
 * the keys one tick touches would share a Redis Cluster slot; the registry is the one global key.
 */
export function priceStoreKeys(prefix: string) {
  return {
    symbols: `${prefix}symbols`,
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

export function decodeCandle(member: string): CandleView {
  const f = member.split('|').map(Number);
  const at = (name: keyof typeof FIELD): number => f[FIELD[name]] ?? Number.NaN;
  return { time: at('time'), open: at('open'), high: at('high'), low: at('low'), close: at('close'), volume: at('volume'), trades: at('trades') };
}

/** The day-stats hash as the domain type, or undefined when the symbol has none. */
export function decodeStats(hash: Record<string, string>): DailyStats | undefined {
  if (hash.day === undefined) return undefined;
  const n = (field: string): number => Number(hash[field]);
  return {
    day: n('day'),
    open: n('open'),
    high: n('high'),
    low: n('low'),
    last: n('last'),
    volume: n('volume'),
    notional: n('notional'),
    trades: n('trades'),
  };
}
