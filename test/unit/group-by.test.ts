import { describe, expect, it } from 'vitest';
import { groupBy } from '../../src/adapters/group-by.js';

describe('groupBy', () => {
  it('keeps first-seen key order and each group in item order', () => {
    const groups = groupBy(['b1', 'a1', 'b2', 'c1', 'a2'], (s) => s[0]!);
    expect([...groups]).toEqual([
      ['b', ['b1', 'b2']],
      ['a', ['a1', 'a2']],
      ['c', ['c1']],
    ]);
  });

  it('maps each item to the value kept', () => {
    expect(groupBy([{ k: 'x', v: 1 }, { k: 'x', v: 2 }], (i) => i.k, (i) => i.v * 10).get('x')).toEqual([10, 20]);
  });
});
