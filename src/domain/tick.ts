import { isValidSymbol } from './symbol.js';

/**
 * A trade print for one symbol. `seq` is strictly increasing per symbol at the source and is the
 * only thing that orders ticks: `ts` comes from the source's clock and may go backwards.
 */
export interface Tick {
  readonly symbol: string;
  readonly price: number;
  readonly size: number;
  /** Epoch milliseconds at the source. */
  readonly ts: number;
  readonly seq: number;
  readonly source: string;
}


/** Parses untrusted input (a log record from another process, a CSV line, a feed frame). */
export function parseTick(input: unknown): Tick | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const t = input as Record<string, unknown>;
  const { symbol, price, size, ts, seq, source } = t;
  if (typeof symbol !== 'string' || !isValidSymbol(symbol)) return undefined;
  if (typeof price !== 'number' || !Number.isFinite(price) || price <= 0) return undefined;
  if (typeof size !== 'number' || !Number.isFinite(size) || size < 0) return undefined;
  if (typeof ts !== 'number' || !Number.isSafeInteger(ts)) return undefined;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return undefined;
  return { symbol, price, size, ts, seq, source: typeof source === 'string' ? source : 'unknown' };
}

/**
 * Whether `ticks` (oldest first) are exactly the ones after `afterSeq`: each `seq` one more than
 * the one before. A replay with a hole in it (ticks the source numbered but never published)
 * must not be presented to a client as a recovery.
 */
export function continuesWithoutGap(ticks: readonly Tick[], afterSeq: number): boolean {
  for (let i = 0; i < ticks.length; i++) if (ticks[i]!.seq !== afterSeq + 1 + i) return false;
  return true;
}
