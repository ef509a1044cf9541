import type { IndicatorValue, IndicatorValues } from '../domain/analytics/catalogue.js';
import { isCandleInterval, type CandleInterval } from '../domain/candles.js';

/**
 * Indicator subscriptions on the WebSocket (protocol v1). A stream is named `<interval>:<indicator>`,
 * e.g. `1m:sma:20` or `5m:macd:12:26:9`: the interval of /api/v1/candles and an indicator name of
 * /api/v1/indicators. A client subscribes per symbol:
 *
 *   {"action":"subscribe","indicators":{"AAPL":["1m:sma:20","1m:rsi:14"]},"limit":100}
 *
 * and gets `indicators_subscribed` (its whole indicator set), one `indicator_snapshot` per symbol
 * and interval it named (the newest `limit` candles, the body /api/v1/indicators answers), then
 * `indicator` updates as the analytics role computes them. Updates carry a candle's values as they
 * are now: an update replaces what the client holds for that candle, so a lost one is made good by
 * the next of the same candle, and a fresh snapshot after a reconnect replaces everything.
 */

/** One stream of one symbol: `interval` and indicator `name` (`sma:20`). */
export interface IndicatorStream {
  readonly interval: CandleInterval;
  readonly name: string;
}

/** The stream's name on the wire: `1m:sma:20`. */
export const indicatorStreamName = (s: IndicatorStream): string => `${s.interval}:${s.name}`;

/** Symbol → stream names (`1m:sma:20`), as clients write them and `indicators_subscribed` lists them. */
export type IndicatorSelection = Record<string, string[]>;

/** A parsed indicator subscribe or unsubscribe: symbol (upper-cased) → streams, without repeats. */
export type IndicatorRequest = Map<string, IndicatorStream[]>;

/** Streams one message may name, however many symbols: bounds the work a single frame causes. */
export const MAX_STREAMS_PER_MESSAGE = 200;
/** Candles per stream in a snapshot when the subscribe does not say (as REST's default). */
export const DEFAULT_SNAPSHOT_LIMIT = 200;

export type IndicatorParse = { ok: true; request: IndicatorRequest } | { ok: false; code: 'BAD_REQUEST' | 'INVALID_INTERVAL'; message: string };

/**
 * Reads `indicators` of a subscribe or unsubscribe. Shape and interval are checked here; whether
 * the symbol trades and the indicator is computed is the gateway's to say (UNKNOWN_SYMBOL,
 * UNKNOWN_INDICATOR), since that depends on its configuration.
 */
export function parseIndicatorSelection(value: unknown): IndicatorParse {
  const bad = (message: string): IndicatorParse => ({ ok: false, code: 'BAD_REQUEST', message });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad('"indicators" must be an object of symbol → ["1m:sma:20", …].');
  const request: IndicatorRequest = new Map();
  let count = 0;
  for (const [key, names] of Object.entries(value)) {
    if (key.length === 0 || key.length > 32) return bad(`"indicators" has a key that is not a symbol: "${key.slice(0, 40)}".`);
    if (!Array.isArray(names) || names.length === 0) return bad(`"indicators.${key}" must be a non-empty array of stream names like "1m:sma:20".`);
    const symbol = key.toUpperCase();
    const streams = request.get(symbol) ?? [];
    for (const raw of names) {
      if (typeof raw !== 'string' || raw.length > 64) return bad(`"indicators.${key}" holds something that is not a stream name like "1m:sma:20".`);
      const colon = raw.indexOf(':');
      const interval = colon < 0 ? raw : raw.slice(0, colon);
      const name = colon < 0 ? '' : raw.slice(colon + 1).trim().toLowerCase();
      if (!isCandleInterval(interval)) return { ok: false, code: 'INVALID_INTERVAL', message: `"${raw}": the interval before the first ":" must be one of 1s, 1m, 5m, 1h.` };
      if (name === '') return bad(`"${raw}": a stream is "<interval>:<indicator>", e.g. "1m:sma:20".`);
      if (streams.some((s) => s.interval === interval && s.name === name)) continue;
      streams.push({ interval, name });
      if (++count > MAX_STREAMS_PER_MESSAGE) return bad(`At most ${MAX_STREAMS_PER_MESSAGE} streams in one message.`);
    }
    request.set(symbol, streams);
  }
  if (request.size === 0) return bad('"indicators" names no symbol.');
  return { ok: true, request };
}

/** A request back in its wire form (the client library sends these). */
export function selectionOf(request: IndicatorRequest): IndicatorSelection {
  return Object.fromEntries([...request].map(([symbol, streams]) => [symbol, streams.map(indicatorStreamName)]));
}

/** `id` echoes the client message a control message answers, when it had one. */
interface Reply {
  readonly id?: unknown;
}

/** After an indicator subscribe or unsubscribe: every indicator stream the connection now holds, sorted. */
export interface IndicatorsSubscribedMessage extends Reply {
  readonly type: 'indicators_subscribed';
  readonly indicators: IndicatorSelection;
}

/** One indicator's series, oldest first; `time` is the candle's `time` in /api/v1/candles. */
export type IndicatorSeries = { time: number; value: IndicatorValue }[];

/**
 * The newest values of the streams a subscribe named for one symbol and interval: the body of
 * `GET /api/v1/indicators/:symbol?interval=&names=&limit=` with a `type`. It replaces whatever the
 * client held for those streams.
 */
export interface IndicatorSnapshotMessage extends Reply {
  readonly type: 'indicator_snapshot';
  readonly symbol: string;
  readonly interval: CandleInterval;
  readonly indicators: Record<string, IndicatorSeries>;
}

/**
 * One candle's values, as computed now, of the subscribed indicators that have one (warming-up
 * ones are left out). It replaces what the client holds for that candle; a newer `time` is a new candle.
 */
export interface IndicatorUpdateMessage {
  readonly type: 'indicator';
  readonly symbol: string;
  readonly interval: CandleInterval;
  readonly time: number;
  readonly values: IndicatorValues;
}

const withId = <T extends object>(message: T, id: unknown): T => (id === undefined ? message : { ...message, id });

export const indicatorsSubscribedMessage = (indicators: IndicatorSelection, id?: unknown): IndicatorsSubscribedMessage =>
  withId({ type: 'indicators_subscribed', indicators }, id);

export const indicatorSnapshotMessage = (symbol: string, interval: CandleInterval, indicators: Record<string, IndicatorSeries>, id?: unknown): IndicatorSnapshotMessage =>
  withId({ type: 'indicator_snapshot', symbol, interval, indicators }, id);

export const indicatorUpdateMessage = (symbol: string, interval: CandleInterval, time: number, values: IndicatorValues): IndicatorUpdateMessage => ({
  type: 'indicator',
  symbol,
  interval,
  time,
  values,
});

/** The values of `names` in stored points (oldest first), one series per name: REST's and the snapshot's shape. */
export function seriesOf(points: readonly { time: number; values: IndicatorValues }[], names: readonly string[]): Record<string, IndicatorSeries> {
  const out: Record<string, IndicatorSeries> = {};
  for (const name of names) out[name] = points.flatMap((p) => (p.values[name] === undefined ? [] : [{ time: p.time, value: p.values[name] }]));
  return out;
}
