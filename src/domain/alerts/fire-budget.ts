import { TokenBucket } from '../token-bucket.js';

/**
 * Fires per user per second, across all of the user's alerts (a token bucket each): one user's
 * many re-arming alerts cannot take the alerts role's database round trips from everyone else.
 * A fire over the budget is not lost: the alert stays armed and fires on a later tick where its
 * condition still holds and the budget allows, as inside a cooldown.
 */
export class FireBudget {
  private readonly buckets = new Map<number, { bucket: TokenBucket; usedAt: number }>();
  private sweptAt = 0;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
  ) {}

  take(userId: number, now: number): boolean {
    this.sweep(now);
    let entry = this.buckets.get(userId);
    if (!entry) {
      entry = { bucket: new TokenBucket(this.ratePerSecond, this.burst, now), usedAt: now };
      this.buckets.set(userId, entry);
    }
    entry.usedAt = now;
    return entry.bucket.take(now);
  }

  get users(): number {
    return this.buckets.size;
  }

  /** A bucket unused for long enough to be full again is the same as none: forget it. */
  private sweep(now: number): void {
    const refillMs = (this.burst / this.ratePerSecond) * 1000;
    if (now - this.sweptAt < Math.max(refillMs, 60_000)) return;
    this.sweptAt = now;
    for (const [userId, entry] of this.buckets) if (now - entry.usedAt >= refillMs) this.buckets.delete(userId);
  }
}
