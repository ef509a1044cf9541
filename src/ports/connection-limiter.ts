import type { Adapter } from './lifecycle.js';

/**
 * ConnectionLimiter — decides whether an address may open one more WebSocket connection: a token
 * bucket per address (`ratePerSecond` refill, `burst` capacity).
 *
 * Guarantees (test/contracts/connection-limiter checks them on every adapter): `burst` connections
 * per address, then refusals until tokens come back at `ratePerSecond`; a decision is made in one
 * atomic step per call (no two callers spend the same token). The Redis limiter shares buckets
 * across every gateway using that Redis; if Redis does not answer in time, each process decides on
 * its own bucket at the same rate rather than refusing everyone. Idle buckets expire.
 */
export interface ConnectionLimiter extends Adapter {
  allow(ip: string): Promise<boolean>;
}
