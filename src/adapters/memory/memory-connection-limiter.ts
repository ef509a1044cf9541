import { TokenBucket } from '../../domain/token-bucket.js';
import type { ConnectionLimiter } from '../../ports/connection-limiter.js';

export interface ConnectionLimiterOptions {
  readonly ratePerSecond: number;
  readonly burst: number;
}

export function checkLimiterOptions({ ratePerSecond, burst }: ConnectionLimiterOptions): void {
  if (!(Number.isFinite(ratePerSecond) && ratePerSecond > 0)) throw new Error('ratePerSecond must be a positive number');
  if (!(Number.isFinite(burst) && burst >= 1)) throw new Error('burst must be at least 1');
}

/** How many calls between sweeps of idle buckets. */
const SWEEP_EVERY = 1_024;

/** The per-process limiter: each process counts on its own. */
export class MemoryConnectionLimiter implements ConnectionLimiter {
  private readonly buckets = new Map<string, { bucket: TokenBucket; last: number }>();
  private readonly refillMs: number;
  private calls = 0;

  constructor(
    private readonly options: ConnectionLimiterOptions,
    private readonly now: () => number = Date.now,
  ) {
    checkLimiterOptions(options);
    this.refillMs = (options.burst / options.ratePerSecond) * 1_000;
  }

  async start(): Promise<void> {}
  async close(): Promise<void> {
    this.buckets.clear();
  }
  async ping(): Promise<void> {}

  async allow(ip: string): Promise<boolean> {
    return this.allowNow(ip);
  }

  /** The synchronous decision, for callers that cannot wait (and for the Redis limiter's fallback). */
  allowNow(ip: string): boolean {
    const now = this.now();
    let entry = this.buckets.get(ip);
    if (entry === undefined) {
      entry = { bucket: new TokenBucket(this.options.ratePerSecond, this.options.burst, now), last: now };
      this.buckets.set(ip, entry);
    }
    entry.last = now;
    const allowed = entry.bucket.take(now);
    if (++this.calls % SWEEP_EVERY === 0) this.sweep(now);
    return allowed;
  }

  /** A bucket untouched for as long as a full refill takes is full again: same as no bucket. */
  private sweep(now: number): void {
    for (const [ip, entry] of this.buckets) if (now - entry.last >= this.refillMs) this.buckets.delete(ip);
  }
}
