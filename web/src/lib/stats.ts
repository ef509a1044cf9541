/**
 * What the connection panel shows about the stream: messages per second over a sliding window and
 * latency percentiles (tick `ts` at the source → receipt here) over the most recent samples.
 */
export class StreamStats {
  private readonly samples: Float64Array;
  private sampleCount = 0;
  private next = 0;
  private readonly buckets = new Map<number, number>();
  total = 0;

  constructor(
    private readonly windowMs = 2_000,
    private readonly bucketMs = 250,
    sampleSize = 2_048,
  ) {
    this.samples = new Float64Array(sampleSize);
  }

  /**
   * `messages` received at `now`; `sourceTs` holds the source time of those that count for latency
   * (all of them unless said otherwise).
   */
  record(sourceTs: readonly number[], now: number, messages = sourceTs.length): void {
    if (messages === 0) return;
    this.total += messages;
    const bucket = Math.floor(now / this.bucketMs);
    this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + messages);
    for (const ts of sourceTs) {
      this.samples[this.next] = Math.max(0, now - ts);
      this.next = (this.next + 1) % this.samples.length;
      if (this.sampleCount < this.samples.length) this.sampleCount++;
    }
    if (this.buckets.size > (this.windowMs / this.bucketMs) * 4) this.prune(now);
  }

  /** Messages per second over the last `windowMs`. */
  rate(now: number): number {
    this.prune(now);
    let sum = 0;
    for (const count of this.buckets.values()) sum += count;
    return sum / (this.windowMs / 1000);
  }

  /** The p-th percentile (0 < p ≤ 1) of latency in ms, or undefined before any sample. */
  percentile(p: number): number | undefined {
    if (this.sampleCount === 0) return undefined;
    const sorted = Array.from(this.samples.subarray(0, this.sampleCount)).sort((a, b) => a - b);
    const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
    return sorted[index];
  }

  reset(): void {
    this.sampleCount = 0;
    this.next = 0;
    this.buckets.clear();
    this.total = 0;
  }

  private prune(now: number): void {
    const oldest = Math.floor((now - this.windowMs) / this.bucketMs);
    for (const bucket of this.buckets.keys()) if (bucket <= oldest) this.buckets.delete(bucket);
  }
}
