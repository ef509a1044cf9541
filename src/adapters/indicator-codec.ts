import type { IndicatorPoint } from '../domain/analytics/symbol-analytics.js';
import { isCandleInterval } from '../domain/candles.js';
import type { Codec } from './codec.js';

/** `indicators.<SYMBOL>` messages across processes (Redis pub/sub): one symbol's new points. */
export const indicatorPointsCodec: Codec<readonly IndicatorPoint[]> = {
  encode: (points) => JSON.stringify(points.map((p) => ({ symbol: p.symbol, interval: p.interval, time: p.time, values: p.values }))),
  decode(raw) {
    try {
      const points: unknown = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
      if (!Array.isArray(points)) return undefined;
      for (const p of points as Partial<IndicatorPoint>[]) {
        const ok =
          typeof p === 'object' && p !== null && typeof p.symbol === 'string' && typeof p.interval === 'string' && isCandleInterval(p.interval) &&
          typeof p.time === 'number' && typeof p.values === 'object' && p.values !== null;
        if (!ok) return undefined;
      }
      return points as IndicatorPoint[];
    } catch {
      return undefined;
    }
  },
};
