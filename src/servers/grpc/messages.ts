import type { Alert, AlertCondition, AlertMode } from '../../domain/alerts/alert.js';
import type { AlertEvent } from '../../domain/accounts/user-events.js';
import type { CandleView } from '../../domain/candles.js';
import type { Quote } from '../../domain/daily-stats.js';
import type { Tick } from '../../domain/tick.js';

/**
 * Domain values as the messages of proto/tickstream/v1 (as @grpc/proto-loader takes them with
 * proto.ts's options: snake_case fields, enums by name). The .proto files are the wire contract;
 * these functions are the one place that maps to it.
 */

export function tickMessage(t: Tick, epoch: string) {
  return { symbol: t.symbol, price: t.price, size: t.size, seq: t.seq, ts: t.ts, timestamp: new Date(t.ts).toISOString(), epoch };
}

export function quoteMessage(q: Quote) {
  return {
    symbol: q.symbol,
    price: q.price,
    size: q.size,
    seq: q.seq,
    ts: q.ts,
    timestamp: q.timestamp,
    open: q.open,
    high: q.high,
    low: q.low,
    change: q.change,
    change_percent: q.changePercent,
    volume: q.volume,
    vwap: q.vwap,
    trades: q.trades,
  };
}

export function candleMessage(c: CandleView) {
  return { time: c.time, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume, trades: c.trades };
}

/** Proto enum names ↔ the domain's values (ABOVE ↔ above, …). */
export const CONDITIONS: Readonly<Record<string, AlertCondition>> = { ABOVE: 'above', BELOW: 'below', CROSSES_ABOVE: 'crosses_above', CROSSES_BELOW: 'crosses_below', PCT_MOVE: 'pct_move' };
export const MODES: Readonly<Record<string, AlertMode>> = { ALERT_MODE_UNSPECIFIED: 'once', ONCE: 'once', REARM: 'rearm' };

export function alertMessage(a: Alert) {
  return {
    id: a.id,
    symbol: a.symbol,
    condition: a.condition.toUpperCase(),
    threshold: a.threshold,
    mode: a.mode.toUpperCase(),
    cooldown_seconds: a.cooldownSeconds,
    note: a.note ?? '',
    status: a.status.toUpperCase(),
    created_at: a.createdAt,
    triggered_at: a.triggeredAt ?? '',
    triggered_price: a.triggeredPrice ?? 0,
    trigger_count: a.triggerCount,
  };
}

export function alertEventMessage(e: AlertEvent) {
  return { alert: alertMessage(e.alert), price: e.price, ts: e.ts, timestamp: new Date(e.ts).toISOString() };
}
