import type { Adapter } from './lifecycle.js';

/**
 * TickSequencer — numbers ticks that come from outside (feeds, files, the ingest API) before they
 * are appended to the tick log.
 *
 * Guarantees every adapter keeps (test/contracts/sequencer checks them):
 * - **Dense and never reused.** Each symbol's `seq` goes 1, 2, 3, … in the order of `assign` calls
 *   and of requests within a call; a number handed out is never handed out again, also after a
 *   restart of this process (Redis: the counter lives in Redis; in memory: the counter is seeded
 *   from the price store at start, which is all that survives an in-process log anyway).
 * - **Idempotent producers.** A request that carries the producer's own `sourceSeq` is a duplicate
 *   when that number is at or below the highest one already numbered for its `(source, symbol)`:
 *   it gets no `seq` (0 in the answer) and moves nothing. Producers number each symbol upward.
 * - **Atomic per call.** The checks and the numbering of one call are one step: two processes
 *   numbering the same symbol at once never get the same `seq`.
 *
 * A `seq` handed out whose tick then never reaches the log leaves a hole the gateways see as a gap;
 * callers retry their append rather than drop numbered ticks.
 */
export interface TickSequencer extends Adapter {
  /** One answer per request, in order: the tick's `seq`, or 0 for a producer duplicate. */
  assign(requests: readonly SeqRequest[]): Promise<number[]>;
  /** Moves each symbol's counter up to at least the given seq (ticks that exist from before). */
  seed(latest: ReadonlyMap<string, number>): Promise<void>;
}

export interface SeqRequest {
  readonly symbol: string;
  /** The feed or producer name: duplicates are judged per `(source, symbol)`. */
  readonly source: string;
  /** The producer's own number, when it gives one. */
  readonly sourceSeq?: number;
}
