import type { SourceTrade } from '../domain/ingest/source-trade.js';

/**
 * IngestSource — one external feed of trades (a provider's WebSocket, a file, a Kafka topic) that
 * the `ingestor` role turns into tickstream ticks.
 *
 * What a source does: connect, read, turn each trade into a `SourceTrade` in the order the feed
 * gave them, and hand them to the sink. It does not number ticks, check symbols against the
 * universe, or append to the log: the ingestor does that the same way for every source.
 *
 * Promises a source keeps:
 * - **Order.** `sink.trades` is called with trades in arrival order, and not again before the
 *   previous call's promise settled (that is the backpressure: the log is slower than a burst).
 * - **Own failures stay inside.** A dropped connection or a malformed message never throws out of
 *   the source: it is counted (`sink.rejected`, `sink.reconnected`), logged, and shows in `status()`.
 * - **`stop()`** stops reading and resolves after the last `sink.trades` call settled.
 */
export interface IngestSource {
  /** Names the feed on every tick (`source`), in metrics and on `/ready`: `finnhub`, `file`, … */
  readonly name: string;
  start(sink: IngestSink): Promise<void>;
  stop(): Promise<void>;
  status(): SourceStatus;
}

// The trade is a domain value (replay files are read into it in src/domain); sources import it from here.
export type { SourceTrade };

export interface IngestSink {
  /** Resolves when the trades are on the log (or were refused, and counted). */
  trades(trades: readonly SourceTrade[]): Promise<void>;
  /** One message read from the feed (a frame, a line), whatever it held. */
  message(count?: number): void;
  reconnected(): void;
  /** Input dropped before it became a trade, with a stable reason (`malformed`, `duplicate`, …). */
  rejected(reason: string, count?: number): void;
}

/**
 * `up`: reading. `connecting`: not yet, or again after a drop (retrying by itself). `down`: not
 * retrying, or only after a long wait (refused key, rate limit, unreadable file); `finished`: a
 * finite source reached its end. `/ready` fails for `down`.
 */
export type SourceState = 'connecting' | 'up' | 'down' | 'finished';

export interface SourceStatus {
  readonly state: SourceState;
  /** Why it is not `up`, for people. */
  readonly reason?: string;
}
