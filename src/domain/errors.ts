/**
 * Every error a client can see, with its stable code. The same codes are used in HTTP bodies,
 * WebSocket `error` messages and the README's error table (a test keeps the two in sync).
 */
export const ERROR_CODES = {
  BAD_JSON: { status: 400, text: 'The message is not valid JSON.' },
  BAD_REQUEST: { status: 400, text: 'The request does not match the documented schema.' },
  UNKNOWN_ACTION: { status: 400, text: 'The message names an action the server does not know.' },
  UNKNOWN_SYMBOL: { status: 404, text: 'The symbol is not traded here.' },
  NO_PRICE_YET: { status: 404, text: 'The symbol is known but has no tick yet.' },
  INVALID_LIMIT: { status: 400, text: 'The limit is not a whole number within the allowed range.' },
  INVALID_INTERVAL: { status: 400, text: 'The candle interval is not one of 1s, 1m, 5m, 1h.' },
  UNKNOWN_INDICATOR: { status: 400, text: 'An indicator name is not one computed here (see ANALYTICS_SMA_PERIODS and the README).' },
  INVALID_WINDOW: { status: 400, text: 'The movers window is not one of 1m, 5m, 1h, day.' },
  TOO_MANY_SYMBOLS: { status: 400, text: 'The subscription would exceed the per-connection symbol limit.' },
  TOO_MANY_INDICATORS: { status: 400, text: 'The subscription would exceed the per-connection indicator stream limit (WS_MAX_INDICATORS).' },
  RATE_LIMITED: { status: 429, text: 'Too many messages; slow down.' },
  MESSAGE_TOO_LARGE: { status: 413, text: 'The frame exceeds the maximum frame size.' },
  ORIGIN_NOT_ALLOWED: { status: 403, text: 'The Origin header is not in the allowlist.' },
  TOO_MANY_CONNECTIONS: { status: 503, text: 'The gateway is at its connection limit.' },
  TOO_MANY_CONNECTIONS_FROM_IP: { status: 429, text: 'This address holds the maximum number of connections.' },
  SLOW_CONSUMER: { status: 500, text: 'The client did not read fast enough and fell too far behind.' },
  AUTH_NOT_AVAILABLE: { status: 501, text: 'Accounts are not enabled on this server.' },
  NOT_FOUND: { status: 404, text: 'No such route.' },
  BAD_URL: { status: 400, text: 'The URL is not valid (e.g. a broken percent-encoding such as `%E0%A4%A`).' },
  REQUEST_TIMEOUT: { status: 408, text: 'The request (headers and body) did not arrive within the allowed time.' },
  HEADERS_TOO_LARGE: { status: 431, text: 'The request headers are larger than the server accepts.' },
  NOT_READY: { status: 503, text: 'A dependency is not reachable.' },
  INTERNAL: { status: 500, text: 'An unexpected error; it was logged.' },
  // Accounts and alerts
  AUTH_REQUIRED: { status: 401, text: 'A bearer token is required (`Authorization: Bearer …`, or `auth` on the WebSocket).' },
  INVALID_TOKEN: { status: 401, text: 'The token is malformed, forged or expired; log in again.' },
  AUTH_TIMEOUT: { status: 408, text: 'The WebSocket did not authenticate within the allowed time.' },
  INVALID_CREDENTIALS: { status: 401, text: 'Wrong username or password.' },
  INVALID_USERNAME: { status: 400, text: 'A username is 3 to 32 characters of a-z, 0-9, `_`, `.`, `-` (case-insensitive).' },
  INVALID_PASSWORD: { status: 400, text: 'A password is 8 to 128 characters.' },
  USERNAME_TAKEN: { status: 409, text: 'That username is already registered.' },
  TOO_MANY_LOGIN_ATTEMPTS: { status: 429, text: 'Too many login attempts from this address or for this username; wait for Retry-After seconds.' },
  TOO_MANY_REGISTRATIONS: { status: 429, text: 'Too many accounts registered from this address; wait for Retry-After seconds.' },
  FORBIDDEN: { status: 403, text: 'The token does not allow acting for that user.' },
  ALERT_NOT_FOUND: { status: 404, text: 'No such alert.' },
  INVALID_CONDITION: { status: 400, text: 'The condition is not one of above, below, crosses_above, crosses_below, pct_move (ABOVE or BELOW on /alerts).' },
  INVALID_PRICE: { status: 400, text: 'The threshold, target or tick price must be a finite number greater than 0.' },
  NOTE_TOO_LONG: { status: 400, text: 'The note is longer than 500 characters.' },
  TOO_MANY_ALERTS: { status: 409, text: 'The user has the maximum number of alerts; delete some first.' },
  // Paper trading
  ORDER_NOT_FOUND: { status: 404, text: 'No such order.' },
  INVALID_SIDE: { status: 400, text: 'The side is not one of buy, sell.' },
  INVALID_ORDER_TYPE: { status: 400, text: 'The order type is not one of market, limit, stop, stop_limit.' },
  INVALID_TIME_IN_FORCE: { status: 400, text: 'The time in force is not one of day, gtc, ioc (ioc: market and limit orders only).' },
  INVALID_QUANTITY: { status: 400, text: 'The quantity is not a whole number from 1 to 1,000,000.' },
  INVALID_ORDER_PRICE: { status: 400, text: 'A limit or stop price is missing, not allowed for the order type, or not on the tick grid (whole cents from $1, hundredths of a cent below).' },
  INSUFFICIENT_FUNDS: { status: 422, text: 'The order needs more buying power than the account has (cash minus what open buy orders hold back).' },
  INSUFFICIENT_POSITION: { status: 422, text: 'The sell is larger than the shares held and not already on sale (long-only).' },
  ORDER_NOT_CANCELABLE: { status: 409, text: 'The order is already filled, canceled, rejected or expired.' },
  INVALID_IDEMPOTENCY_KEY: { status: 400, text: 'The Idempotency-Key header is 1 to 128 printable ASCII characters.' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, text: 'The Idempotency-Key was already used for a different order.' },
  // Ingest API (POST /api/v1/ticks) and the reasons a trade from outside is refused
  INGEST_NOT_ENABLED: { status: 501, text: 'The ingest API is off: no INGEST_API_KEYS are configured.' },
  INGEST_KEY_REQUIRED: { status: 401, text: 'An ingest key is required (`Authorization: Bearer <key>`).' },
  INVALID_INGEST_KEY: { status: 401, text: 'The ingest key is not one of INGEST_API_KEYS.' },
  BATCH_TOO_LARGE: { status: 413, text: 'The batch holds more ticks than INGEST_MAX_BATCH.' },
  MALFORMED: { status: 400, text: 'The line or item is not a tick object of the documented fields.' },
  INVALID_SOURCE: { status: 400, text: 'A source is the key’s name, or the name followed by `:` and up to 64 of a-z 0-9 . _ : -.' },
  INVALID_SYMBOL: { status: 400, text: 'A symbol is 1 to 15 of A-Z, 0-9, `.`, `-`, starting with a letter.' },
  INVALID_SIZE: { status: 400, text: 'The size must be a finite number of 0 or more.' },
  INVALID_TIMESTAMP: { status: 400, text: 'The timestamp is not whole epoch milliseconds within INGEST_MAX_SKEW_MS of the server’s clock.' },
  INVALID_SEQ: { status: 400, text: 'The producer seq must be a whole number of 1 or more.' },
  SYMBOL_LIMIT: { status: 409, text: 'The symbol is new and the universe holds INGEST_MAX_SYMBOLS already.' },
  SIMULATED_SYMBOL: { status: 409, text: 'The simulator of this process trades that symbol; it cannot be ingested beside it.' },
} as const satisfies Record<string, { status: number; text: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class TickstreamError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
  ) {
    super(message ?? ERROR_CODES[code].text);
    this.name = 'TickstreamError';
    this.status = ERROR_CODES[code].status;
  }
}
