import { describe, expect, it } from 'vitest';
import { Conflator } from '../../src/domain/conflator.js';

describe('Conflator', () => {
  it('keeps the newest value per key in first-seen key order', () => {
    const c = new Conflator<number>();
    expect(c.add('b', 1)).toBe(false);
    expect(c.add('a', 2)).toBe(false);
    expect(c.add('b', 3)).toBe(true);
    expect(c.size).toBe(2);
    expect(c.drain()).toEqual([['b', 3], ['a', 2]]);
  });

  it('is empty after drain and starts a fresh key order', () => {
    const c = new Conflator<string>();
    c.add('x', 'old');
    c.drain();
    expect(c.size).toBe(0);
    expect(c.drain()).toEqual([]);
    expect(c.add('x', 'new')).toBe(false);
    expect(c.drain()).toEqual([['x', 'new']]);
  });
});
