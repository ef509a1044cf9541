import type { BackoffPolicy } from '../domain/backoff.js';

// The one backoff rule (src/domain/backoff.ts), under the names the client has always exported.
export { backoffDelay } from '../domain/backoff.js';
export type BackoffOptions = BackoffPolicy;

/** Reconnect delays of the client: about 0.5 s, doubling up to 15 s, each drawn from (half, full]. */
export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 15_000, factor: 2, jitter: 0.5 };
