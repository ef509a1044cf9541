import { backoffDelay, doubling } from '../backoff.js';
/**
 * Brute-force protection for logins, per key (username + client address). The first
 * `freeFailures` failures cost nothing; each one after locks the key for `baseLockMs`, doubling up
 * to `maxLockMs`. A success clears the key; a key with no failure for `forgetMs` is forgotten.
 *
 * In memory, per process: several API processes each keep their own counts (a shared Redis
 * counter is the way to make it global). Bounded: past `maxKeys` the oldest keys are dropped.
 */
export interface ThrottleOptions {
  readonly freeFailures: number;
  readonly baseLockMs: number;
  readonly maxLockMs: number;
  readonly forgetMs: number;
  readonly maxKeys: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = {
  freeFailures: 5,
  baseLockMs: 1_000,
  maxLockMs: 15 * 60_000,
  forgetMs: 60 * 60_000,
  maxKeys: 100_000,
};

interface Entry {
  failures: number;
  lastFailure: number;
  lockedUntil: number;
}

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: ThrottleOptions = DEFAULT_THROTTLE) {}

  /** Milliseconds until the key may try again; 0 when it may now. */
  retryAfterMs(key: string, now: number): number {
    const entry = this.live(key, now);
    return entry ? Math.max(0, entry.lockedUntil - now) : 0;
  }

  /** Records a failure; returns how long the key is now locked (0: not locked). */
  failed(key: string, now: number): number {
    const entry = this.live(key, now) ?? { failures: 0, lastFailure: now, lockedUntil: 0 };
    entry.failures += 1;
    entry.lastFailure = now;
    const over = entry.failures - this.options.freeFailures;
    if (over >= 0) entry.lockedUntil = now + backoffDelay(over, doubling(this.options.baseLockMs, this.options.maxLockMs));
    // Re-inserting keeps the map in least-recently-failed order, so eviction drops the stalest.
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.options.maxKeys) this.entries.delete(this.entries.keys().next().value as string);
    return Math.max(0, entry.lockedUntil - now);
  }

  succeeded(key: string): void {
    this.entries.delete(key);
  }

  private live(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && now - entry.lastFailure > this.options.forgetMs && now >= entry.lockedUntil) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }
}
