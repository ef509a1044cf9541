/**
 * Reconnect delay after `attempt` failures in a row (0 for the first retry): doubling from
 * `baseMs` up to `maxMs`, with "equal jitter" (half fixed, half random) so feeds that dropped
 * together do not come back in lockstep, yet never retry at once.
 */
export function backoffDelay(attempt: number, options: { baseMs: number; maxMs: number }, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
