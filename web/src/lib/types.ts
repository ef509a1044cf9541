/** Shapes of what the tickstream server sends (README: REST API and WebSocket protocol v1). */

import type { AlertCondition, ControlMessage as ProtocolControlMessage, TickData } from '../../../src/protocol/index.js';

export type { AlertCondition, WireAlert as Alert, WireUser as User } from '../../../src/protocol/index.js';
export { ALERT_CONDITIONS } from '../../../src/protocol/index.js';

/** A tick from the socket or the REST API (the wire types live in src/protocol). */
export type Tick = TickData;

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

export interface NewAlert {
  readonly symbol: string;
  readonly condition: AlertCondition;
  readonly threshold: number;
  readonly mode: 'once' | 'rearm';
  readonly cooldownSeconds: number;
  readonly note: string;
}

/** Server → client messages other than ticks; `order` until the orders messages join the protocol. */
export type ControlMessage = ProtocolControlMessage | { type: 'order'; [key: string]: unknown };
