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
