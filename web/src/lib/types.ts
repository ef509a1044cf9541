/** Shapes of what the tickstream server sends (README: REST API and WebSocket protocol v1). */

export interface Tick {
  readonly symbol: string;
  readonly price: number;
  readonly size: number;
  readonly seq: number;
  /** Epoch ms at the source. */
  readonly ts: number;
  readonly timestamp?: string;
}

export interface Quote extends Tick {
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly change: number;
  readonly changePercent: number;
  readonly volume: number;
  readonly vwap: number;
  readonly trades: number;
}

export interface Candle {
  /** Bucket start, epoch ms. */
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  readonly trades: number;
}

export type CandleInterval = '1s' | '1m' | '5m' | '1h';

export const INTERVALS: Readonly<Record<CandleInterval, number>> = { '1s': 1_000, '1m': 60_000, '5m': 300_000, '1h': 3_600_000 };

export const INTERVAL_NAMES = Object.keys(INTERVALS) as CandleInterval[];

export interface Movers {
  readonly gainers: Quote[];
  readonly losers: Quote[];
  readonly mostActive: Quote[];
}

export interface User {
  readonly id: string | number;
  readonly username: string;
}

export type AlertCondition = 'above' | 'below' | 'crosses_above' | 'crosses_below' | 'pct_move';

export const ALERT_CONDITIONS: readonly AlertCondition[] = ['above', 'below', 'crosses_above', 'crosses_below', 'pct_move'];

export interface Alert {
  readonly id: string | number;
  readonly symbol: string;
  readonly condition: AlertCondition;
  readonly threshold: number;
  readonly mode: 'once' | 'rearm';
  readonly cooldownSeconds: number;
  readonly note: string | null;
  readonly status: 'active' | 'triggered' | 'disabled';
  readonly createdAt: string;
  readonly triggeredAt: string | null;
  readonly triggeredPrice: number | null;
}

export interface NewAlert {
  readonly symbol: string;
  readonly condition: AlertCondition;
  readonly threshold: number;
  readonly mode: 'once' | 'rearm';
  readonly cooldownSeconds: number;
  readonly note: string;
}

/** Server → client messages other than ticks. */
export type ControlMessage =
  | { type: 'subscribed'; symbols: string[]; recovered?: Record<string, boolean>; id?: unknown }
  | { type: 'error'; code: string; message: string; id?: unknown }
  | { type: 'pong'; ts: number; id?: unknown }
  | { type: 'authenticated'; user: User; id?: unknown }
  | { type: 'alert'; alert: Alert; price: number; ts: number }
  | { type: 'order'; [key: string]: unknown };
