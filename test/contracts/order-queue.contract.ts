import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Codec } from '../../src/adapters/codec.js';
import type { Delivery, OrderQueue, QueueConsumer, RetryPolicy } from '../../src/ports/order-queue.js';
import { waitFor } from '../support/wait.js';

export interface Job {
  readonly n: number;
}

export const jobCodec: Codec<Job> = {
  encode: (j) => JSON.stringify(j),
  decode(raw) {
    try {
      const value = JSON.parse(raw.toString()) as { n?: unknown };
      return typeof value.n === 'number' ? { n: value.n } : undefined;
    } catch {
      return undefined;
    }
  },
};

/** Short delays so the suite is quick; the backoff shape is what is checked. */
export const POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 150 };

export interface OrderQueueFixture {
  /** Started, on queues private to this test. */
  readonly queue: OrderQueue<Job>;
  /** Puts bytes on the work queue as a foreign producer would (for poison messages). */
  publishRaw(raw: string, id: string): Promise<void>;
  cleanup(): Promise<void>;
}

export type OrderQueueFactory = (name: string) => Promise<OrderQueueFixture>;

/** The promises of src/ports/order-queue.ts, for any adapter. */
export function orderQueueContract(adapter: string, factory: OrderQueueFactory): void {
  describe(`OrderQueue contract: ${adapter}`, () => {
    let fixture: OrderQueueFixture;
    let queue: OrderQueue<Job>;
    const consumers: QueueConsumer[] = [];

    beforeEach(async () => {
      fixture = await factory(`contract.orders.${randomUUID().slice(0, 8)}`);
      queue = fixture.queue;
    });

    afterEach(async () => {
      for (const c of consumers.splice(0)) await c.abort().catch(() => undefined);
      await fixture.cleanup();
    });

    const consume = async (handler: (d: Delivery<Job>) => Promise<void>, prefetch?: number) => {
      const consumer = await queue.consume(handler, { prefetch });
      consumers.push(consumer);
      return consumer;
    };

    it('a consumer gets each published message once, with its id and attempt 1 (that publish waits for the broker’s confirm: order-queue.rabbitmq.test.ts)', async () => {
      for (let n = 1; n <= 20; n++) await queue.publish({ n }, { id: `job-${n}` });
      const got: Delivery<Job>[] = [];
      await consume(async (d) => void got.push(d));
      await waitFor(() => got.length === 20, '20 deliveries');
      expect(got.map((d) => d.body.n).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(new Set(got.map((d) => d.id)).size).toBe(20);
      expect(got.every((d) => d.attempt === 1 && d.id === `job-${d.body.n}`)).toBe(true);
      expect(await queue.deadLetters(10)).toEqual([]);
    });

    it('acks only after the handler: a consumer that crashes mid-handler has its message delivered again', async () => {
      await queue.publish({ n: 7 }, { id: 'crash' });
      let started!: () => void;
      const inHandler = new Promise<void>((resolve) => (started = resolve));
      const crashed = await consume(async () => {
        started();
        await new Promise(() => undefined); // never finishes: the process "dies" in here
      });
      await inHandler;
      await crashed.abort();
      consumers.splice(consumers.indexOf(crashed), 1);
      const again: Delivery<Job>[] = [];
      await consume(async (d) => void again.push(d));
      const redelivered = await waitFor(() => again[0], 'the redelivery', 15_000);
      expect(redelivered).toMatchObject({ id: 'crash', body: { n: 7 } });
      expect(redelivered.attempt).toBeGreaterThanOrEqual(2);
    });

    it('graceful stop waits for the handler in flight and acknowledges it (no redelivery)', async () => {
      await queue.publish({ n: 1 }, { id: 'graceful' });
      let release!: () => void;
      const seen: number[] = [];
      const first = await consume(async (d) => {
        seen.push(d.attempt);
        await new Promise<void>((resolve) => (release = resolve));
      });
      await waitFor(() => seen.length === 1, 'the first delivery');
      const stopping = first.stop();
      release();
      await stopping;
      consumers.splice(consumers.indexOf(first), 1);
      await consume(async (d) => void seen.push(d.attempt));
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(seen).toEqual([1]);
    });

    it('a failing handler gets the message again with backoff, then it is dead-lettered with the reason and the attempts', async () => {
      await queue.publish({ n: 3 }, { id: 'doomed' });
      const attempts: { attempt: number; at: number }[] = [];
      await consume(async (d) => {
        attempts.push({ attempt: d.attempt, at: Date.now() });
        throw new Error(`boom on attempt ${d.attempt}`);
      });
      const dead = await waitFor(async () => (await queue.deadLetters(10))[0], 'the dead letter', 15_000);
      expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
      // Each wait is at least its backoff (base, then twice the base).
      expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(POLICY.baseDelayMs * 0.9);
      expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(POLICY.baseDelayMs * 2 * 0.9);
      expect(dead).toMatchObject({ id: 'doomed', reason: 'boom on attempt 3', attempts: 3 });
      expect(JSON.parse(dead.raw)).toEqual({ n: 3 });
      // Reading dead letters does not remove them.
      expect(await queue.deadLetters(10)).toHaveLength(1);
    });

    it('a poison message goes to the dead-letter queue at once and does not block the queue', async () => {
      await fixture.publishRaw('{not json', 'poison');
      await queue.publish({ n: -1 }, { id: 'always-fails' });
      for (let n = 1; n <= 10; n++) await queue.publish({ n }, { id: `ok-${n}` });
      const handled: number[] = [];
      await consume(async (d) => {
        if (d.body.n < 0) throw new Error('cannot handle');
        handled.push(d.body.n);
      }, 1);
      // With one message in flight at a time, the good ones still all get through while the bad one retries.
      await waitFor(() => handled.length === 10, 'the good messages');
      const dead = await waitFor(async () => {
        const letters = await queue.deadLetters(10);
        return letters.length === 2 ? letters : undefined;
      }, 'two dead letters', 15_000);
      const byId = Object.fromEntries(dead.map((d) => [d.id, d]));
      expect(byId.poison).toMatchObject({ reason: 'undecodable', raw: '{not json', attempts: 1 });
      expect(byId['always-fails']).toMatchObject({ reason: 'cannot handle', attempts: 3 });
    });

    it('prefetch bounds the messages a consumer holds at once', async () => {
      for (let n = 1; n <= 6; n++) await queue.publish({ n }, { id: `p-${n}` });
      let inFlight = 0;
      let most = 0;
      const releases: (() => void)[] = [];
      const done: number[] = [];
      await consume(async (d) => {
        most = Math.max(most, ++inFlight);
        await new Promise<void>((resolve) => releases.push(resolve));
        inFlight--;
        done.push(d.body.n);
      }, 2);
      while (done.length < 6) {
        await waitFor(() => releases.length > 0, 'a held message');
        await new Promise((resolve) => setTimeout(resolve, 100));
        releases.shift()!();
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(most).toBe(2);
    });
  });
}
