/**
 * WebSocket close codes the gateway uses. 1xxx are the standard ones with their standard meaning;
 * 4xxx are ours. The close reason is the stable error code (errors.ts).
 */
export const CLOSE_CODES = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  TRY_AGAIN_LATER: 1013,
  SLOW_CONSUMER: 4000,
  AUTH_TIMEOUT: 4001,
  INVALID_TOKEN: 4003,
} as const;

export type CloseCode = (typeof CLOSE_CODES)[keyof typeof CLOSE_CODES];

/**
 * What a client does after the server closed the connection (as centrifuge splits its codes):
 * - `retry`: reconnect with backoff and resume — every standard code, and 4000–4499;
 * - `drop-token`: the token is bad (INVALID_TOKEN): forget it and reconnect anonymously;
 * - `terminal`: do not reconnect — 4500–4999 (reserved for refusals that retrying cannot fix).
 */
export type CloseAdvice = 'retry' | 'drop-token' | 'terminal';

export function adviseOnClose(code: number): CloseAdvice {
  if (code === CLOSE_CODES.INVALID_TOKEN) return 'drop-token';
  if (code >= 4500 && code <= 4999) return 'terminal';
  return 'retry';
}

/**
 * Codes a client closes with, kept apart from the server's so logs on either side tell who closed.
 * Browsers allow only 1000 and 3000–4999 in `close()`.
 */
export const CLIENT_CLOSE_CODES = {
  /** On purpose: `disconnect()`. */
  CLIENT_CLOSED: 1000,
  /** The user signed out: the connection is reopened without the token. */
  SIGNED_OUT: 3000,
  /** Nothing came back for a ping: the link is dead even if the socket says open. */
  NO_PONG: 3001,
} as const;
