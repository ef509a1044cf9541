import type { Tick } from '../domain/tick.js';

/** A tick as clients hold it, from the socket or the REST API. `seq` orders ticks of one symbol. */
export interface TickData {
  readonly symbol: string;
  readonly price: number;
  readonly size: number;
  readonly seq: number;
  /** Epoch milliseconds at the source. */
  readonly ts: number;
  /** `ts` as ISO-8601, for the seed's clients. */
  readonly timestamp?: string;
  /** The stream epoch `seq` belongs to (ticks from the socket; see `subscribed`). */
  readonly epoch?: string;
}

/**
 * A tick as the gateway sends it (protocol v1): a superset of the seed's `{symbol, price, timestamp}`,
 * so clients written for that message keep working.
 */
export interface WireTick extends TickData {
  readonly type: 'tick';
  readonly timestamp: string;
  readonly epoch: string;
}

/** Several ticks in one frame, for clients that opted in with `?batch=1`. */
export interface WireTickBatch {
  readonly type: 'ticks';
  readonly data: WireTick[];
}

/**
 * Built by hand because it runs once per accepted tick on every gateway. `epoch` is the store's
 * stream epoch (URL-safe characters, so it needs no escaping).
 */
export function encodeTick(t: Tick, epoch: string): string {
  return (
    `{"type":"tick","symbol":${JSON.stringify(t.symbol)},"price":${t.price},"size":${t.size},` +
    `"seq":${t.seq},"ts":${t.ts},"timestamp":"${new Date(t.ts).toISOString()}","epoch":"${epoch}"}`
  );
}
