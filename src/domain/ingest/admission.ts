import type { Admission } from '../symbol-universe.js';

/** Why a trade from outside was not made into a tick. Stable: metrics labels and API answers use them. */
export type RejectReason = 'INVALID_SYMBOL' | 'INVALID_PRICE' | 'INVALID_SIZE' | 'INVALID_TIMESTAMP' | 'INVALID_SEQ' | 'UNKNOWN_SYMBOL' | 'SYMBOL_LIMIT' | 'SIMULATED_SYMBOL';

export interface TradeCheck {
  /** Largest distance between a trade's `ts` and this process's clock. */
  readonly maxSkewMs: number;
  readonly now: number;
  readonly admit: (symbol: string) => Admission;
}

const SYMBOL_SHAPE = /^[A-Z][A-Z0-9.-]{0,14}$/;

/**
 * The checks every ingested trade passes, whatever its source: a symbol tickstream can name, a
 * finite positive price, a finite non-negative size, a whole-millisecond `ts` near now, a producer
 * seq that is a positive whole number, and a symbol the universe admits (checked last, because
 * admitting a symbol adds it).
 */
export function checkTrade(t: { symbol: unknown; price: unknown; size: unknown; ts: unknown; sourceSeq?: unknown }, check: TradeCheck): RejectReason | undefined {
  if (typeof t.symbol !== 'string' || !SYMBOL_SHAPE.test(t.symbol)) return 'INVALID_SYMBOL';
  if (typeof t.price !== 'number' || !Number.isFinite(t.price) || t.price <= 0) return 'INVALID_PRICE';
  if (typeof t.size !== 'number' || !Number.isFinite(t.size) || t.size < 0) return 'INVALID_SIZE';
  if (typeof t.ts !== 'number' || !Number.isSafeInteger(t.ts) || Math.abs(t.ts - check.now) > check.maxSkewMs) return 'INVALID_TIMESTAMP';
  if (t.sourceSeq !== undefined && (typeof t.sourceSeq !== 'number' || !Number.isSafeInteger(t.sourceSeq) || t.sourceSeq < 1)) return 'INVALID_SEQ';
  const admission = check.admit(t.symbol);
  return admission === 'ok' ? undefined : admission;
}
