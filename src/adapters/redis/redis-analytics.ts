import type { IndicatorPoint } from '../../domain/analytics/symbol-analytics.js';
import type { MoverWindow, WindowStats } from '../../domain/analytics/window-movers.js';
import type { CandleInterval } from '../../domain/candles.js';
import type { AnalyticsStore, StoredIndicatorPoint } from '../../ports/analytics-store.js';
import type { RedisClient } from './connection.js';

/**
 * The analytics half of RedisPriceStore, on the store's connection.
 *
 * Indicator points: a sorted set per symbol and interval scored by candle time, members the JSON
 * `{time, values}`. Replacing a candle's point is "remove the score, add the member" inside one
 * MULTI, so readers never see two points for one candle. Window stats: a hash per window, field
 * = symbol. Keys expire like the price keys when their symbol stops trading.
 */
export class RedisAnalytics implements AnalyticsStore {
  constructor(
    private readonly client: RedisClient,
    private readonly prefix: string,
    private readonly limit: number,
    private readonly ttl: string,
  ) {}

  private pointsKey(symbol: string, interval: CandleInterval): string {
    return `${this.prefix}indicators:${interval}:{${symbol}}`;
  }

  private windowKey(window: MoverWindow): string {
    return `${this.prefix}movers:${window}`;
  }

  async putIndicators(points: readonly IndicatorPoint[]): Promise<void> {
    // Only the last point of a candle matters: a batch often holds many states of a forming one.
    const last = new Map<string, IndicatorPoint>();
    for (const p of points) last.set(`${p.symbol} ${p.interval} ${p.time}`, p);
    if (last.size === 0) return;
    const multi = this.client.multi();
    const touched = new Set<string>();
    for (const p of last.values()) {
      const key = this.pointsKey(p.symbol, p.interval);
      touched.add(key);
      multi.zRemRangeByScore(key, p.time, p.time).zAdd(key, { score: p.time, value: JSON.stringify({ time: p.time, values: p.values }) });
    }
    for (const key of touched) multi.zRemRangeByRank(key, 0, -this.limit - 1).expire(key, Number(this.ttl));
    await multi.exec();
  }

  async indicators(symbol: string, interval: CandleInterval, limit: number): Promise<StoredIndicatorPoint[]> {
    const n = Math.floor(limit);
    if (!(n >= 1)) return [];
    const raw = await this.client.zRange(this.pointsKey(symbol, interval), -n, -1);
    return raw.flatMap((member) => {
      const point = parseJson(member) as StoredIndicatorPoint | undefined;
      return point !== undefined && typeof point.time === 'number' && typeof point.values === 'object' ? [point] : [];
    });
  }

  async putWindowStats(window: MoverWindow, stats: readonly WindowStats[], gone: readonly string[] = []): Promise<void> {
    if (stats.length === 0 && gone.length === 0) return;
    const key = this.windowKey(window);
    const multi = this.client.multi();
    if (stats.length > 0) multi.hSet(key, Object.fromEntries(stats.map((s) => [s.symbol, JSON.stringify(s)]))).expire(key, Number(this.ttl));
    if (gone.length > 0) multi.hDel(key, [...gone]);
    await multi.exec();
  }

  async windowStats(window: MoverWindow): Promise<WindowStats[]> {
    const raw = await this.client.hGetAll(this.windowKey(window));
    return Object.values(raw).flatMap((value) => {
      const stats = parseJson(value) as WindowStats | undefined;
      return stats !== undefined && typeof stats.symbol === 'string' ? [stats] : [];
    });
  }
}

/** A foreign or damaged value under our prefix reads as absent rather than failing the read. */
function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
