/**
 * How long to wait before retrying, everywhere tickstream retries: reconnecting clients and feeds,
 * appends the log refused, database loads, order redeliveries, login lockouts. One rule, so a
 * retry policy is a value (`BackoffPolicy`) and not a formula written again at each call site.
 */
export interface BackoffPolicy {
  /** Delay before the first retry (attempt 0). Greater than 0. */
  readonly initialMs: number;
  /** Longest delay, however many attempts failed (`Infinity`: no ceiling). */
  readonly maxMs: number;
  /** Each failure multiplies the delay by this; 2 doubles it. */
  readonly factor: number;
  /**
   * 0: every caller waits the same. 0.5: the delay is drawn from (half, full] of the exponential
   * value, so peers that failed together (clients of a restarted server, processes that lost
   * Redis) do not come back in lockstep, yet never retry at once.
   */
  readonly jitter: number;
}

/**
 * The delay before retry `attempt` (0 for the first): `initialMs × factor^attempt` up to `maxMs`,
 * less up to `jitter` of it at random (`random()` in [0, 1); only drawn when there is jitter).
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const grown = policy.initialMs * policy.factor ** Math.max(0, attempt);
  // A large attempt overflows to Infinity, which the ceiling absorbs.
  const exponential = grown < policy.maxMs ? grown : policy.maxMs;
  return Math.round(policy.jitter > 0 ? exponential * (1 - policy.jitter * random()) : exponential);
}

/** Doubling with no jitter: for waits one process takes alone (a database load, a lockout). */
export const doubling = (initialMs: number, maxMs: number): BackoffPolicy => ({ initialMs, maxMs, factor: 2, jitter: 0 });
