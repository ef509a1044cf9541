import type { SourceTrade } from './source-trade.js';

/** Column (or NDJSON field) names accepted for each part of a trade, first match wins. */
const FIELDS = {
  symbol: ['symbol', 'ticker', 's'],
  price: ['price', 'p'],
  size: ['size', 'volume', 'quantity', 'qty', 'v'],
  ts: ['ts', 'timestamp', 'time', 't'],
} as const;

export type RecordResult = { readonly trade: SourceTrade } | { readonly problem: string };

/** The header of a CSV file: which column holds what, or what is missing. */
export function mapHeader(columns: readonly string[]): { readonly index: Record<keyof typeof FIELDS, number> } | { readonly problem: string } {
  const lower = columns.map((c) => c.trim().toLowerCase());
  const index = {} as Record<keyof typeof FIELDS, number>;
  const missing: string[] = [];
  for (const [part, names] of Object.entries(FIELDS) as [keyof typeof FIELDS, readonly string[]][]) {
    const at = names.map((n) => lower.indexOf(n)).find((i) => i >= 0) ?? -1;
    index[part] = at;
    if (at < 0 && part !== 'size') missing.push(`${part} (${names.join('/')})`);
  }
  if (missing.length > 0) return { problem: `the header names no column for ${missing.join(', ')}` };
  return { index };
}

/**
 * One record of a replay file (a CSV row read through its header, or an NDJSON object) as a trade
 * with its original time. Numbers may be written as text (CSV); a time is epoch milliseconds or
 * an ISO 8601 date. The trade is checked again on intake; this only says what cannot be read.
 */
export function readRecord(get: (part: keyof typeof FIELDS) => unknown): RecordResult {
  const symbol = get('symbol');
  if (typeof symbol !== 'string' || symbol.trim() === '') return { problem: 'no symbol' };
  const price = toNumber(get('price'));
  if (price === undefined) return { problem: `price ${JSON.stringify(get('price'))} is not a number` };
  const rawSize = get('size');
  const size = rawSize === undefined || rawSize === '' ? 0 : toNumber(rawSize);
  if (size === undefined) return { problem: `size ${JSON.stringify(rawSize)} is not a number` };
  const ts = toTime(get('ts'));
  if (ts === undefined) return { problem: `timestamp ${JSON.stringify(get('ts'))} is neither epoch milliseconds nor an ISO 8601 date` };
  return { trade: { symbol: symbol.trim().toUpperCase(), price, size, ts } };
}

export function fieldOf(object: Record<string, unknown>, part: keyof typeof FIELDS): unknown {
  for (const name of FIELDS[part]) if (object[name] !== undefined) return object[name];
  return undefined;
}

function toNumber(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function toTime(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return toTime(Number(value));
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
