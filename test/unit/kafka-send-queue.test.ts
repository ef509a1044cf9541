import { describe, expect, it } from 'vitest';
import { SendQueue } from '../../src/adapters/kafka/send-queue.js';

/** A send whose calls the test completes one by one. */
function controlledSend() {
  const calls: { items: number[]; finish: (error?: Error) => void }[] = [];
  let concurrent = 0;
  let maxConcurrent = 0;
  const send = (items: number[]): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      calls.push({
        items: [...items],
        finish: (error) => {
          concurrent--;
          if (error) reject(error);
          else resolve();
        },
      });
    });
  return { send, calls, maxConcurrent: () => maxConcurrent };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('SendQueue', () => {
  it('sends one request at a time and coalesces what queued up meanwhile, in call order', async () => {
    const { send, calls, maxConcurrent } = controlledSend();
    const queue = new SendQueue(send, 100);
    const settled: string[] = [];
    const a = queue.push([1, 2]).then(() => settled.push('a'));
    const b = queue.push([3]).then(() => settled.push('b'));
    const c = queue.push([4, 5]).then(() => settled.push('c'));
    await tick();
    expect(calls.map((x) => x.items)).toEqual([[1, 2]]);
    calls[0]!.finish();
    await tick();
    expect(settled).toEqual(['a']);
    expect(calls.map((x) => x.items)).toEqual([[1, 2], [3, 4, 5]]);
    calls[1]!.finish();
    await Promise.all([a, b, c]);
    expect(settled).toEqual(['a', 'b', 'c']);
    expect(maxConcurrent()).toBe(1);
  });

  it('does not put more than maxItems in one request, unless a single push is larger', async () => {
    const { send, calls } = controlledSend();
    const queue = new SendQueue(send, 3);
    const pushes = [queue.push([1]), queue.push([2, 3]), queue.push([4, 5]), queue.push([6, 7, 8, 9])];
    for (let i = 0; i < 4; i++) {
      await tick();
      calls[i]?.finish();
    }
    await Promise.all(pushes);
    expect(calls.map((x) => x.items)).toEqual([[1], [2, 3], [4, 5], [6, 7, 8, 9]]);
  });

  it('counts what a request carries by weight (packed records: the log records inside)', async () => {
    const { send, calls } = controlledSend();
    // Each item weighs its own value: a pack of that many records.
    const queue = new SendQueue(send, 10, (n: number) => n);
    const pushes = [queue.push([1]), queue.push([4, 5]), queue.push([1]), queue.push([2])];
    for (let i = 0; i < 4; i++) {
      await tick();
      calls[i]?.finish();
    }
    await Promise.all(pushes);
    // [4, 5] and [1] weigh 10 together; [2] would make 12 and waits for the next request.
    expect(calls.map((x) => x.items)).toEqual([[1], [4, 5, 1], [2]]);
  });

  it('rejects exactly the callers whose request failed, and goes on with the next', async () => {
    const { send, calls } = controlledSend();
    const queue = new SendQueue(send, 100);
    const first = queue.push([1]);
    await tick();
    const second = queue.push([2]);
    const third = queue.push([3]);
    calls[0]!.finish();
    await tick();
    calls[1]!.finish(new Error('broker said no'));
    await expect(first).resolves.toBeUndefined();
    await expect(second).rejects.toThrow('broker said no');
    await expect(third).rejects.toThrow('broker said no');
    const fourth = queue.push([4]);
    await tick();
    calls[2]!.finish();
    await expect(fourth).resolves.toBeUndefined();
  });

  it('resolves an empty push at once and reports idleness', async () => {
    const { send, calls } = controlledSend();
    const queue = new SendQueue(send, 100);
    await queue.push([]);
    expect(calls).toEqual([]);
    await queue.idle();
    const pending = queue.push([1]);
    let idle = false;
    const waiting = queue.idle().then(() => (idle = true));
    await tick();
    expect(queue.pending).toBe(1);
    expect(idle).toBe(false);
    calls[0]!.finish();
    await Promise.all([pending, waiting]);
    expect(idle).toBe(true);
    expect(queue.pending).toBe(0);
  });
});
