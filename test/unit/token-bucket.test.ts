import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../src/domain/token-bucket.js';

const takeAll = (bucket: TokenBucket, now: number, tries = 1_000): number => {
  let n = 0;
  while (n < tries && bucket.take(now)) n++;
  return n;
};

describe('TokenBucket', () => {
  it('allows a full burst at once, then refuses', () => {
    expect(takeAll(new TokenBucket(1, 5, 0), 0)).toBe(5);
  });

  it('refills at the rate per second', () => {
    const bucket = new TokenBucket(4, 10, 0);
    takeAll(bucket, 0);
    expect(takeAll(bucket, 500)).toBe(2);
    expect(takeAll(bucket, 750)).toBe(1);
  });

  it('never holds more than the burst however long it rests', () => {
    const bucket = new TokenBucket(100, 3, 0);
    takeAll(bucket, 0);
    expect(takeAll(bucket, 3_600_000)).toBe(3);
  });

  it('charges the cost and refuses a take it cannot afford without spending', () => {
    const bucket = new TokenBucket(1, 5, 0);
    expect(bucket.take(0, 4)).toBe(true);
    expect(bucket.take(0, 2)).toBe(false);
    expect(bucket.take(0, 1)).toBe(true);
    expect(bucket.take(0, 1)).toBe(false);
  });
});
