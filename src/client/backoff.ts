export interface BackoffOptions {
  /** Delay before the first retry. */
  readonly initialMs: number;
  /** Longest delay, however many attempts failed. */
  readonly maxMs: number;
  readonly factor: number;
  /** 0: none; 0.5: the delay is drawn from [half, full] of the exponential value. */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 15_000, factor: 2, jitter: 0.5 };

/**
 * Exponential backoff with jitter: attempt 0 waits about `initialMs`, each failure multiplies it by
 * `factor` up to `maxMs`; `random()` (0 ≤ r < 1) spreads clients so they do not all come back at once.
 */
export function backoffDelay(attempt: number, random: () => number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const exponential = Math.min(options.maxMs, options.initialMs * options.factor ** Math.max(0, attempt));
  return Math.round(exponential * (1 - options.jitter * random()));
}
