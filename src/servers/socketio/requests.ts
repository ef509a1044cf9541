import { ALL_SYMBOLS, STOCK_UPDATES_ROOM, type SocketIoError } from '../../protocol/index.js';

/** What a client asked for with `subscribe`, `unsubscribe`, `join` or `leave`. */
export type SocketIoRequest =
  | { readonly kind: 'subscribe' | 'unsubscribe'; readonly symbols: string[] }
  | { readonly kind: 'join' | 'leave'; readonly all: true };

const MAX_NAME_LENGTH = 32;

/**
 * `subscribe('AAPL')`, `subscribe(['AAPL','GOOGL'])`, and `{symbols:[…]}` as some scripts send it.
 * Names are upper-cased; whether they are traded here is decided later, so the known ones are
 * subscribed and the rest reported in one UNKNOWN_SYMBOL error (a forgiving watchlist).
 */
export function parseSymbols(kind: 'subscribe' | 'unsubscribe', arg: unknown, maxSymbols: number): SocketIoRequest | SocketIoError {
  const value = typeof arg === 'object' && arg !== null && !Array.isArray(arg) ? (arg as { symbols?: unknown }).symbols : arg;
  const list = typeof value === 'string' ? [value] : value;
  const usage = `"${kind}" takes a symbol or an array of symbols, e.g. socket.emit('${kind}', ['AAPL', 'GOOGL']).`;
  if (!Array.isArray(list) || list.length === 0) return { code: 'BAD_REQUEST', message: usage };
  if (list.length > maxSymbols) return { code: 'TOO_MANY_SYMBOLS', message: `At most ${maxSymbols} symbols per connection (or "stock-updates").` };
  const symbols: string[] = [];
  for (const s of list) {
    if (typeof s !== 'string' || s.trim() === '' || s.length > MAX_NAME_LENGTH) return { code: 'BAD_REQUEST', message: usage };
    symbols.push(s.trim().toUpperCase());
  }
  return { kind, symbols: [...new Set(symbols)] };
}

/** `join('stock-updates')` (every symbol); `*` is accepted as the same room. */
export function parseRoom(kind: 'join' | 'leave', arg: unknown): SocketIoRequest | SocketIoError {
  if (arg === STOCK_UPDATES_ROOM || arg === ALL_SYMBOLS) return { kind, all: true };
  return { code: 'BAD_REQUEST', message: `The only room is "${STOCK_UPDATES_ROOM}" (every symbol); subscribe to symbols with socket.emit('subscribe', ['AAPL']).` };
}
