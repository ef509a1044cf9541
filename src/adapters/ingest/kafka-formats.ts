import type { SourceTrade } from '../../ports/ingest-source.js';
import { readTrade } from './finnhub-protocol.js';

/**
 * The JSON records existing Kafka pipelines write, turned into trades (INGEST_SOURCE=kafka). One
 * record may be any of these shapes; the fields say which:
 *
 * | producer | topic | record |
 * |---|---|---|
 * | stock-streaming-kafka-redis-ws | `stock_prices` | `{"symbol":"AAPL","price":150.45,"timestamp":"2025-12-30T…"}` |
 * | gostocks-alerts (Finnhub trades) | `market_ticks` | a Finnhub trade `{"s":"AAPL","p":190.1,"t":1767623400000,"v":100}`, or a whole `{"type":"trade","data":[…]}` frame |
 * | kafka-stream-sim-dashboard | `stock_ticks` | `{"symbol":"AAPL","price":150.45,"timestamp":…,"volume":300,…}` |
 * | tickstream | its own log | `{"symbol":"AAPL","price":150.45,"size":300,"ts":1767623400000,"seq":17,"source":"sim"}` |
 *
 * Timestamps are epoch milliseconds, epoch seconds (a number below 10^11, as Python's
 * `time.time()` gives), or ISO 8601 text. Only tickstream's own records carry a `seq`; it is kept
 * as the producer's number (duplicates are judged by it), and the ingestor numbers the rest per
 * symbol. The values are not checked here: the ingestor checks every trade alike.
 */
export type RecordReading = { readonly trades: SourceTrade[] } | { readonly problem: string };

export function readExternalRecord(text: string): RecordReading {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: 'not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: 'not a JSON object' };
  const r = value as Record<string, unknown>;

  if (r.type === 'trade' && Array.isArray(r.data)) {
    const trades = r.data.map(readTrade);
    if (trades.some((t) => t === undefined)) return { problem: 'a Finnhub trade lacks s, p, t or v' };
    return { trades: trades.map((t) => ({ symbol: t!.s, price: t!.p, size: t!.v, ts: t!.t })) };
  }
  if ('s' in r && 'p' in r) {
    const t = readTrade(r);
    return t ? { trades: [{ symbol: t.s, price: t.p, size: t.v, ts: t.t }] } : { problem: 'a Finnhub trade lacks s, p, t or v' };
  }
  if (!('symbol' in r) || !('price' in r)) return { problem: 'no symbol and price (nor Finnhub s and p)' };
  const ts = timestamp(r.ts ?? r.timestamp);
  if (ts === undefined) return { problem: 'no readable ts or timestamp' };
  const size = r.size ?? r.volume ?? 0;
  const trade: SourceTrade = { symbol: r.symbol as string, price: r.price as number, size: size as number, ts };
  return { trades: [r.seq === undefined ? trade : { ...trade, sourceSeq: r.seq as number }] };
}

function timestamp(raw: unknown): number | undefined {
  if (typeof raw === 'number' && Number.isFinite(raw)) return Math.round(raw < 1e11 ? raw * 1000 : raw);
  if (typeof raw === 'string') {
    const ms = Date.parse(raw);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}
