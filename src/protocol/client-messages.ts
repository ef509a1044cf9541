import type { ErrorCode } from './errors.js';
import { DEFAULT_SNAPSHOT_LIMIT, parseIndicatorSelection, type IndicatorRequest, type IndicatorSelection } from './indicator-messages.js';

/** Client → server messages of protocol v1, after validation (`replace` is the bare-array form). */
export type ClientMessage =
  | { action: 'subscribe'; symbols: string[]; since: Record<string, number>; epoch?: string; id?: unknown }
  | { action: 'unsubscribe'; symbols: string[]; id?: unknown }
  | { action: 'replace'; symbols: string[]; id?: unknown }
  | { action: 'auth'; token: string; id?: unknown }
  | { action: 'ping'; id?: unknown }
  /** A subscribe or unsubscribe with `indicators` instead of `symbols` (indicator-messages.ts). */
  | { action: 'subscribeIndicators'; indicators: IndicatorRequest; limit: number; id?: unknown }
  | { action: 'unsubscribeIndicators'; indicators: IndicatorRequest; id?: unknown };

export interface ProtocolError {
  error: ErrorCode;
  message: string;
  id?: unknown;
}

const ACTIONS = new Set(['subscribe', 'unsubscribe', 'auth', 'ping']);

/** What a client writes: the parsed form, with `since` optional. */
export type ClientRequest =
  | { action: 'subscribe'; symbols: string[]; since?: Record<string, number>; epoch?: string; id?: unknown }
  | { action: 'unsubscribe'; symbols: string[]; id?: unknown }
  | { action: 'auth'; token: string; id?: unknown }
  | { action: 'ping'; id?: unknown }
  | { action: 'subscribe'; indicators: IndicatorSelection; limit?: number; id?: unknown }
  | { action: 'unsubscribe'; indicators: IndicatorSelection; id?: unknown };

export const encodeClientMessage = (message: ClientRequest | string[]): string => JSON.stringify(message);

/**
 * Names are upper-cased and bounded in length here; whether they follow the symbol rule is not a
 * parse error: the universe (configuration) only holds names that follow it, so a malformed name is
 * reported as UNKNOWN_SYMBOL with the others still subscribed (a forgiving watchlist).
 */
const MAX_NAME_LENGTH = 32;
const MAX_EPOCH_LENGTH = 64;

function symbolList(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: string[] = [];
  for (const s of value) {
    if (typeof s !== 'string' || s.length === 0 || s.length > MAX_NAME_LENGTH) return undefined;
    out.push(s.toUpperCase());
  }
  return out;
}

/** Parses one text frame. Never throws: every malformed input maps to a stable error code. */
export function parseClientMessage(text: string): ClientMessage | ProtocolError {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { error: 'BAD_JSON', message: 'The message is not valid JSON.' };
  }
  // The watchlist seed's protocol: a bare array replaces the subscription set.
  if (Array.isArray(data)) {
    const symbols = symbolList(data);
    if (!symbols) return { error: 'BAD_REQUEST', message: 'A bare array must hold symbol strings.' };
    return { action: 'replace', symbols };
  }
  if (typeof data !== 'object' || data === null) {
    return { error: 'BAD_REQUEST', message: 'A message is a JSON object with an "action", or an array of symbols.' };
  }
  const m = data as Record<string, unknown>;
  const id = m.id;
  const withId = <T extends object>(value: T): T => (id === undefined ? value : { ...value, id });
  if (typeof m.action !== 'string') return withId({ error: 'BAD_REQUEST', message: 'The message has no "action" string.' });
  if (!ACTIONS.has(m.action)) return withId({ error: 'UNKNOWN_ACTION', message: `Unknown action "${m.action.slice(0, 40)}"; expected subscribe, unsubscribe, auth or ping.` });
  switch (m.action) {
    case 'ping':
      return withId({ action: 'ping' });
    case 'auth':
      if (typeof m.token !== 'string' || m.token === '') return withId({ error: 'BAD_REQUEST', message: '"auth" needs a "token" string.' });
      return withId({ action: 'auth', token: m.token });
    case 'unsubscribe':
    case 'subscribe': {
      if (m.indicators !== undefined) return withId(parseIndicatorMessage(m.action, m));
      const symbols = symbolList(m.symbols);
      if (!symbols) return withId({ error: 'BAD_REQUEST', message: `"${m.action}" needs "symbols": an array of symbol strings.` });
      if (m.action === 'unsubscribe') return withId({ action: 'unsubscribe', symbols });
      const since = parseSince(m.since, symbols);
      if (typeof since === 'string') return withId({ error: 'BAD_REQUEST', message: since });
      if (m.epoch !== undefined && (typeof m.epoch !== 'string' || m.epoch.length === 0 || m.epoch.length > MAX_EPOCH_LENGTH)) {
        return withId({ error: 'BAD_REQUEST', message: '"epoch" must be the epoch string of a `subscribed` reply or a tick.' });
      }
      return withId({ action: 'subscribe', symbols, since, ...(typeof m.epoch === 'string' ? { epoch: m.epoch } : {}) });
    }
  }
  return withId({ error: 'UNKNOWN_ACTION', message: 'Unknown action.' });
}

/** Largest snapshot a subscribe may ask for per stream; the gateway also caps it at what the store keeps. */
const MAX_SNAPSHOT_LIMIT = 100_000;

function parseIndicatorMessage(action: 'subscribe' | 'unsubscribe', m: Record<string, unknown>): ClientMessage | ProtocolError {
  if (m.symbols !== undefined) return { error: 'BAD_REQUEST', message: `"${action}" takes "symbols" or "indicators", not both: send two messages.` };
  const parsed = parseIndicatorSelection(m.indicators);
  if (!parsed.ok) return { error: parsed.code, message: parsed.message };
  if (action === 'unsubscribe') return { action: 'unsubscribeIndicators', indicators: parsed.request };
  const limit = m.limit ?? DEFAULT_SNAPSHOT_LIMIT;
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 0 || limit > MAX_SNAPSHOT_LIMIT) {
    return { error: 'INVALID_LIMIT', message: `"limit" (candles per stream in the snapshot) must be a whole number from 0 to ${MAX_SNAPSHOT_LIMIT}.` };
  }
  return { action: 'subscribeIndicators', indicators: parsed.request, limit };
}

function parseSince(value: unknown, symbols: string[]): Record<string, number> | string {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return '"since" must be an object of symbol → last seq received.';
  const out: Record<string, number> = {};
  for (const [key, seq] of Object.entries(value)) {
    const symbol = key.toUpperCase();
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return `"since.${key}" must be a whole number ≥ 0.`;
    if (!symbols.includes(symbol)) return `"since.${key}" names a symbol that is not in "symbols".`;
    out[symbol] = seq;
  }
  return out;
}
