import type { ErrorCode } from './errors.js';

/**
 * The Socket.IO surface at `/socket.io/`: the events of the kafka-stream-sim dashboard
 * (reference/kafka-stream-sim-dashboard.md), so its pages and scripts work unchanged. Pure
 * TypeScript, like the rest of protocol/, so a browser bundle can share the shapes.
 */
export const SOCKETIO_PATH = '/socket.io/';

/** The one room that system's clients join: every symbol. */
export const STOCK_UPDATES_ROOM = 'stock-updates';

export const SOCKETIO_EVENTS = {
  /** Client → server: a symbol or an array of them (narrows a connection that had every symbol). */
  subscribe: 'subscribe',
  unsubscribe: 'unsubscribe',
  /** Client → server: `stock-updates` means every symbol. */
  join: 'join',
  leave: 'leave',
  /** Server → client. */
  stockTick: 'stock-tick',
  metrics: 'metrics',
  error: 'error',
} as const;

/**
 * A tick as Socket.IO clients get it: the reference's `{symbol, price, timestamp, volume,
 * partition, offset}`, plus tickstream's `seq`, `ts` and `epoch` (the same ordering fields as the
 * native protocol). `partition` and `offset` are the tick's place in the event log when the
 * gateway knows it (ticks published by a processor), else null.
 */
export interface SocketIoTick {
  readonly symbol: string;
  readonly price: number;
  /** ISO-8601, like the native tick's `timestamp`. */
  readonly timestamp: string;
  /** The tick's size (shares traded). */
  readonly volume: number;
  readonly partition: number | null;
  /** A number for Kafka and the in-process log (digits), the entry id as text for Redis Streams. */
  readonly offset: number | string | null;
  readonly seq: number;
  readonly ts: number;
  readonly epoch: string;
}

/** The reference's `metrics` event, sent on connect and every SOCKETIO_METRICS_MS. */
export interface SocketIoMetrics {
  readonly messagesProcessed: number;
  readonly connectedClients: number;
  /** Milliseconds since the process started. */
  readonly uptime: number;
  readonly messagesPerSecond: number;
  readonly startTime: number;
}

/** The `error` event: one per refused request, with the stable code of the native protocol. */
export interface SocketIoError {
  readonly code: ErrorCode;
  readonly message: string;
  /** UNKNOWN_SYMBOL: the names that were not subscribed (the known ones were). */
  readonly symbols?: readonly string[];
}

/** What an acknowledgement callback of `subscribe`, `unsubscribe`, `join` and `leave` receives. */
export interface SocketIoAck {
  readonly ok: boolean;
  /** The connection's symbols after the request (`["*"]` while it follows every symbol). */
  readonly symbols: readonly string[];
  readonly error?: SocketIoError;
}

export function socketIoTick(t: { symbol: string; price: number; size: number; ts: number; seq: number }, epoch: string, position?: { partition: number; offset: string }): SocketIoTick {
  return {
    symbol: t.symbol,
    price: t.price,
    timestamp: new Date(t.ts).toISOString(),
    volume: t.size,
    partition: position?.partition ?? null,
    offset: position === undefined ? null : /^\d{1,15}$/.test(position.offset) ? Number(position.offset) : position.offset,
    seq: t.seq,
    ts: t.ts,
    epoch,
  };
}
