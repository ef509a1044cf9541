/**
 * Finnhub's real-time trades WebSocket (https://finnhub.io/docs/api/websocket-trades):
 * connect to `wss://ws.finnhub.io?token=<key>`, send `{"type":"subscribe","symbol":"AAPL"}` per
 * symbol; the server sends `{"type":"trade","data":[{"s":"AAPL","p":190.1,"t":1767623400000,"v":100,"c":["1"]}]}`
 * (symbol, price, epoch ms, volume, trade conditions), `{"type":"ping"}` to keep the connection
 * alive, and `{"type":"error","msg":"…"}`. A bad token is refused at the upgrade (HTTP 401).
 */
export interface FinnhubTrade {
  readonly s: string;
  readonly p: number;
  readonly t: number;
  readonly v: number;
  readonly c?: readonly string[] | null;
}

export type FinnhubMessage = { readonly type: 'trade'; readonly data: readonly unknown[] } | { readonly type: 'ping' } | { readonly type: 'error'; readonly msg: string };

export function subscribeMessage(symbol: string): string {
  return JSON.stringify({ type: 'subscribe', symbol });
}

/** One frame, or undefined when it is not one of the documented messages. */
export function parseFinnhubMessage(text: string): FinnhubMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  if (m.type === 'trade' && Array.isArray(m.data)) return { type: 'trade', data: m.data };
  if (m.type === 'ping') return { type: 'ping' };
  if (m.type === 'error') return { type: 'error', msg: typeof m.msg === 'string' ? m.msg : JSON.stringify(m.msg) };
  return undefined;
}

/** A trade entry with the documented fields and types, or undefined. */
export function readTrade(entry: unknown): FinnhubTrade | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const t = entry as Record<string, unknown>;
  if (typeof t.s !== 'string' || typeof t.p !== 'number' || typeof t.t !== 'number' || typeof t.v !== 'number') return undefined;
  return t as unknown as FinnhubTrade;
}

/** Provider errors that retrying will not fix soon: a refused key, or a rate limit. */
export function errorKind(message: string): 'auth' | 'rate' | 'other' {
  if (/limit|too many|429/i.test(message)) return 'rate';
  if (/token|api key|unauthori[sz]ed|forbidden|401|403/i.test(message)) return 'auth';
  return 'other';
}
