import { describe, expect, it } from 'vitest';
import { SerialWork } from '../../src/servers/serial-work.js';

describe('SerialWork', () => {
  it('runs steps one at a time in the order given, whatever each waits on', async () => {
    const work = new SerialWork();
    const seen: string[] = [];
    const slow = work.run(async () => {
      seen.push('slow starts');
      await new Promise((resolve) => setTimeout(resolve, 20));
      seen.push('slow ends');
      return 1;
    });
    const quick = work.run(() => {
      seen.push('quick');
      return 2;
    });
    expect(await Promise.all([slow, quick])).toEqual([1, 2]);
    expect(seen).toEqual(['slow starts', 'slow ends', 'quick']);
  });

  it('gives a failed step its error and still runs the steps after it', async () => {
    const work = new SerialWork();
    const failed = work.run(() => {
      throw new Error('step 1');
    });
    const next = work.run(async () => 'step 2');
    await expect(failed).rejects.toThrow('step 1');
    await expect(next).resolves.toBe('step 2');
  });
});
