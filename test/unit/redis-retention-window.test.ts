import { describe, expect, it } from 'vitest';
import { RetentionWindow } from '../../src/adapters/redis/retention-window.js';
import { seededRandom } from '../../src/domain/random.js';

/** Records in the newest `maxlen` entries of a stream (entry sizes oldest first): what MAXLEN ~ keeps at least. */
const kept = (stream: readonly number[], maxlen: number): number => stream.slice(Math.max(0, stream.length - maxlen)).reduce((a, b) => a + b, 0);

describe('RetentionWindow', () => {
  it('keeps enough entries when a large entry follows small ones (retention / entry size would not)', () => {
    const window = new RetentionWindow(100);
    const stream: number[] = [];
    for (let i = 0; i < 200; i++) {
      stream.push(1);
      window.add(1);
    }
    stream.push(256);
    const maxlen = window.add(256);
    expect(maxlen).toBe(1);
    expect(kept(stream, maxlen)).toBeGreaterThanOrEqual(100);

    stream.push(10);
    const next = window.add(10);
    // The 256-record entry still holds what the 10 newest records lack.
    expect(next).toBe(2);
    expect(kept(stream, next)).toBeGreaterThanOrEqual(100);
  });

  it('counts entries from before it started as one record each', () => {
    const window = new RetentionWindow(1_000);
    expect(window.add(256)).toBe(1 + 744);
    expect(window.add(256)).toBe(2 + 488);
    expect(window.add(256)).toBe(3 + 232);
    expect(window.add(256)).toBe(4);
  });

  it('never lets a single producer\'s stream fall below retention, and keeps no more entries than needed', () => {
    const random = seededRandom(7);
    for (const retention of [1, 10, 300, 5_000]) {
      const window = new RetentionWindow(retention);
      // Entries of unknown size already there, as a restarted or upgraded producer finds them.
      const stream = Array.from({ length: 50 }, () => 1 + Math.floor(random.next() * 256));
      let own = 0;
      for (let i = 0; i < 3_000; i++) {
        const size = 1 + Math.floor(random.next() * (random.next() < 0.5 ? 4 : 256));
        stream.push(size);
        own += size;
        const maxlen = window.add(size);
        expect(kept(stream, maxlen)).toBeGreaterThanOrEqual(Math.min(retention, kept(stream, stream.length)));
        if (own >= retention) expect(kept(stream, maxlen - 1)).toBeLessThan(retention);
      }
    }
  });

  it('after forget(), counts every earlier entry as unknown again', () => {
    const window = new RetentionWindow(100);
    window.add(256);
    window.forget();
    expect(window.add(10)).toBe(1 + 90);
  });
});
