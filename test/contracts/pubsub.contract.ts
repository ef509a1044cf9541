import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PubSub } from '../../src/ports/pubsub.js';
import { waitFor } from '../support/wait.js';

export interface PubSubFixture {
  /** Started and private to this test. */
  readonly pubsub: PubSub<Message>;
  cleanup(): Promise<void>;
}

export type PubSubFactory = () => Promise<PubSubFixture>;

export interface Message {
  readonly n: number;
}

/** The promises of src/ports/pubsub.ts, for any adapter. */
export function pubSubContract(name: string, factory: PubSubFactory): void {
  describe(`PubSub contract: ${name}`, () => {
    let fixture: PubSubFixture;
    let pubsub: PubSub<Message>;
    // Channel names unique per run, so adapters on a shared engine do not hear each other.
    const run = randomUUID().slice(0, 8);
    const channel = (name: string): string => `contract.${run}.${name}`;

    const listen = async (ch: string) => {
      const got: number[] = [];
      const unsubscribe = await pubsub.subscribe(ch, (m) => got.push(m.n));
      return { got, unsubscribe };
    };

    beforeEach(async () => {
      fixture = await factory();
      pubsub = fixture.pubsub;
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    it('delivers to the subscribers of the channel, not to others', async () => {
      const [a, b, other] = [channel('a'), channel('b'), channel('other')];
      const onA1 = await listen(a);
      const onA2 = await listen(a);
      const onB = await listen(b);
      const onOther = await listen(other);
      await pubsub.publish(a, { n: 1 });
      await pubsub.publish(b, { n: 2 });
      await waitFor(() => onA1.got.length === 1 && onA2.got.length === 1 && onB.got.length === 1, 'deliveries');
      // A marker on `other` arriving after the rest shows nothing else was on its way there.
      await pubsub.publish(other, { n: 3 });
      await waitFor(() => onOther.got.length > 0, 'the marker');
      expect([onA1.got, onA2.got, onB.got, onOther.got]).toEqual([[1], [1], [2], [3]]);
    });

    it('does not deliver what was published before subscribing or after unsubscribing', async () => {
      const ch = channel('live');
      await pubsub.publish(ch, { n: 1 });
      const early = await listen(ch);
      const late = await listen(ch);
      await pubsub.publish(ch, { n: 2 });
      await waitFor(() => late.got.length === 1, 'the first live message');
      await early.unsubscribe();
      await pubsub.publish(ch, { n: 3 });
      await waitFor(() => late.got.length === 2, 'the second live message');
      expect(early.got).toEqual([2]);
      expect(late.got).toEqual([2, 3]);
    });

    it('keeps per-channel order of publish and publishMany', async () => {
      const [x, y] = [channel('x'), channel('y')];
      const onX = await listen(x);
      const onY = await listen(y);
      const n = 200;
      for (let i = 0; i < n; i++) await pubsub.publish(x, { n: i });
      const many = Array.from({ length: n }, (_, i) => ({ channel: i % 3 === 0 ? y : x, message: { n: n + i } }));
      await pubsub.publishMany(many);
      const expectX = [...Array.from({ length: n }, (_, i) => i), ...many.filter((m) => m.channel === x).map((m) => m.message.n)];
      const expectY = many.filter((m) => m.channel === y).map((m) => m.message.n);
      await waitFor(() => onX.got.length >= expectX.length && onY.got.length >= expectY.length, 'all messages');
      expect(onX.got).toEqual(expectX);
      expect(onY.got).toEqual(expectY);
    });

    it('holds a channel once however many listeners, until the last unsubscribes', async () => {
      const ch = channel('shared');
      const held = (): number => pubsub.channels().filter((c) => c === ch).length;
      expect(held()).toBe(0);
      const first = await listen(ch);
      const second = await listen(ch);
      expect(held()).toBe(1);
      await first.unsubscribe();
      expect(held()).toBe(1);
      await pubsub.publish(ch, { n: 1 });
      await waitFor(() => second.got.length === 1, 'delivery to the remaining listener');
      await second.unsubscribe();
      expect(held()).toBe(0);
    });

    it('counts the same function subscribed twice as two listeners', async () => {
      const ch = channel('twice');
      const got: number[] = [];
      const listener = (m: Message): void => void got.push(m.n);
      const un1 = await pubsub.subscribe(ch, listener);
      const un2 = await pubsub.subscribe(ch, listener);
      await pubsub.publish(ch, { n: 1 });
      await waitFor(() => got.length === 2, 'two deliveries');
      await un1();
      expect(pubsub.channels()).toContain(ch);
      await un2();
      expect(pubsub.channels()).not.toContain(ch);
    });

    it('an unsubscribe called twice does no harm', async () => {
      const ch = channel('twice-off');
      const first = await listen(ch);
      const second = await listen(ch);
      await first.unsubscribe();
      await first.unsubscribe();
      expect(pubsub.channels()).toContain(ch);
      await pubsub.publish(ch, { n: 1 });
      await waitFor(() => second.got.length === 1, 'delivery to the remaining listener');
      expect(first.got).toEqual([]);
      await second.unsubscribe();
      await second.unsubscribe();
      expect(pubsub.channels()).not.toContain(ch);
      // Subscribing again after all that works as the first time.
      const again = await listen(ch);
      await pubsub.publish(ch, { n: 2 });
      await waitFor(() => again.got.length === 1, 'delivery after resubscribing');
      expect(again.got).toEqual([2]);
    });
  });
}
