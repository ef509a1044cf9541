import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Codec } from '../../src/adapters/codec.js';
import type { ConsumeOptions, Consumer, EventLog, LogRecord } from '../../src/ports/event-log.js';
import { deferred, settle } from '../support/async.js';
import { waitFor } from '../support/wait.js';

export interface Item {
  readonly key: string;
  /** Unique and increasing in append order across the whole test. */
  readonly n: number;
}

/** How adapters that cross a process boundary encode the suite's items. */
export const itemCodec: Codec<Item> = {
  encode: (item) => JSON.stringify(item),
  decode(raw) {
    try {
      const v = JSON.parse(raw.toString()) as Partial<Item>;
      return typeof v.key === 'string' && typeof v.n === 'number' ? { key: v.key, n: v.n } : undefined;
    } catch {
      return undefined;
    }
  },
};

export interface EventLogOptions {
  readonly partitions: number;
  /** Records kept per partition at least. */
  readonly retention: number;
}

export interface EventLogFixture {
  /** Started, empty, and private to this test (its own topic or stream in a shared engine). */
  readonly log: EventLog<Item>;
  /** Closes the log and removes whatever it created. */
  cleanup(): Promise<void>;
}

export type EventLogFactory = (options: EventLogOptions) => Promise<EventLogFixture>;

export interface EventLogCapabilities {
  /** Retention is a count of records per partition (false for engines that keep by time or size). */
  readonly retentionByCount?: boolean;
  /**
   * Per-key order holds when records move between members (after an abort or a rebalance); false
   * for Redis Streams, where it holds only while one member reads.
   */
  readonly keyOrderAcrossMembers?: boolean;
  /**
   * A partition moves to another member only after its old owner's batch in flight is done; false
   * for Kafka, whose client rejoins a rebalance at once (the two may overlap for one batch).
   */
  readonly exclusiveHandOver?: boolean;
}

interface Member {
  readonly consumer: Consumer;
  /** Every handler call, as it started. */
  readonly attempts: (readonly LogRecord<Item>[])[];
  /** Records of handler calls that returned without throwing. */
  readonly handled: Item[];
}

type Hook = (records: readonly LogRecord<Item>[], call: number) => Promise<void> | void;

const ns = (items: readonly Item[]): number[] => items.map((i) => i.n);
const values = (records: readonly LogRecord<Item>[]): Item[] => records.map((r) => r.value);

/** The promises of src/ports/event-log.ts, for any adapter. */
export function eventLogContract(name: string, factory: EventLogFactory, capabilities: EventLogCapabilities = {}): void {
  describe(`EventLog contract: ${name}`, () => {
    let fixture: EventLogFixture | undefined;
    let log: EventLog<Item>;
    let counter = 0;
    let cleanups: (() => Promise<void> | void)[] = [];

    const open = async (options: EventLogOptions = { partitions: 4, retention: 10_000 }): Promise<void> => {
      fixture = await factory(options);
      log = fixture.log;
    };

    beforeEach(async () => {
      counter = 0;
      await open();
    });

    afterEach(async () => {
      // Held handlers are let go and consumers crash-stopped first, so nothing waits on them.
      for (const cleanup of cleanups.reverse()) await cleanup();
      cleanups = [];
      await fixture?.cleanup();
      fixture = undefined;
    });

    const append = async (keys: readonly string[], rounds = 1): Promise<Item[]> => {
      const items: Item[] = [];
      for (let r = 0; r < rounds; r++) for (const key of keys) items.push({ key, n: ++counter });
      await log.append(items.map((value) => ({ key: value.key, value })));
      return items;
    };

    const join = async (options: ConsumeOptions, hook?: Hook): Promise<Member> => {
      const attempts: (readonly LogRecord<Item>[])[] = [];
      const handled: Item[] = [];
      const consumer = await log.consume(options, async (records) => {
        attempts.push(records);
        await hook?.(records, attempts.length);
        handled.push(...values(records));
      });
      let ended = false;
      const end = (how: 'stop' | 'abort') => async () => {
        if (ended) return;
        ended = true;
        await consumer[how]();
      };
      cleanups.push(end('abort'));
      return { consumer: { stop: end('stop'), abort: end('abort') }, attempts, handled };
    };

    /** A hook that holds the first handler call until `gate.resolve()`. */
    const holdFirst = () => {
      const gate = deferred();
      cleanups.push(gate.resolve);
      const hook: Hook = async (_records, call) => {
        if (call === 1) await gate.promise;
      };
      return { gate, hook };
    };

    const keys = (count: number): string[] => Array.from({ length: count }, (_, i) => `K${i}.${randomUUID().slice(0, 4)}`);

    it('delivers each key in append order, from one partition, in batches of at most maxBatch', async () => {
      const member = await join({ group: 'g', from: 'earliest', maxBatch: 7 });
      const someKeys = keys(6);
      const appended: Item[] = [];
      for (let round = 0; round < 10; round++) appended.push(...(await append(someKeys.slice(0, 3 + (round % 4)), 3)));
      await waitFor(() => member.handled.length >= appended.length, 'every record');

      expect(ns(member.handled).sort((a, b) => a - b)).toEqual(ns(appended));
      for (const key of new Set(appended.map((i) => i.key))) {
        expect(ns(member.handled.filter((i) => i.key === key)), key).toEqual(ns(appended.filter((i) => i.key === key)));
      }
      const records = member.attempts.flat();
      for (const r of records) expect(r.key).toBe(r.value.key);
      for (const key of new Set(records.map((r) => r.key))) {
        expect(new Set(records.filter((r) => r.key === key).map((r) => r.partition)).size, key).toBe(1);
      }
      for (const batch of member.attempts) expect(batch.length).toBeLessThanOrEqual(7);
    });

    it('gives every group every record', async () => {
      const a = await join({ group: 'a', from: 'earliest' });
      const b = await join({ group: 'b', from: 'earliest' });
      const appended = await append(keys(8), 10);
      await waitFor(() => a.handled.length >= appended.length && b.handled.length >= appended.length, 'both groups');
      expect(ns(a.handled).sort((x, y) => x - y)).toEqual(ns(appended));
      expect(ns(b.handled).sort((x, y) => x - y)).toEqual(ns(appended));
    });

    it('splits a group between its members, no record to both', async () => {
      const one = await join({ group: 'g', from: 'earliest' });
      const two = await join({ group: 'g', from: 'earliest' });
      const appended: Item[] = [];
      // Keep appending until both have work: how soon a new member gets partitions is the engine's business.
      await waitFor(async () => {
        appended.push(...(await append(keys(16), 2)));
        return one.handled.length > 0 && two.handled.length > 0;
      }, 'both members to receive records');
      await waitFor(() => one.handled.length + two.handled.length >= appended.length, 'every record');

      const all = [...ns(one.handled), ...ns(two.handled)].sort((x, y) => x - y);
      expect(all).toEqual(ns(appended));
    });

    it('delivers the batch again when the handler throws', async () => {
      const appended = await append(keys(1), 5);
      const member = await join({ group: 'g', from: 'earliest' }, (_records, call) => {
        if (call === 1) throw new Error('handler failed');
      });
      await waitFor(() => member.attempts.length >= 2, 'a second attempt');
      const first = ns(values(member.attempts[0]!));
      expect(first.length).toBeGreaterThan(0);
      expect(ns(values(member.attempts[1]!)).slice(0, first.length)).toEqual(first);
      await waitFor(() => member.handled.length >= appended.length, 'every record handled');
      expect(ns(member.handled)).toEqual(ns(appended));
    });

    it('redelivers the batch of an aborted member to another member of the group', async () => {
      const someKeys = keys(8);
      const { gate, hook } = holdFirst();
      const crashing = await join({ group: 'g', from: 'earliest' }, hook);
      const appended = await append(someKeys, 3);
      await waitFor(() => crashing.attempts.length === 1, 'a batch in flight');
      const inFlight = ns(values(crashing.attempts[0]!));

      const survivor = await join({ group: 'g', from: 'earliest' });
      appended.push(...(await append(someKeys, 3)));
      await settle();
      if (capabilities.exclusiveHandOver !== false) {
        expect(ns(survivor.handled).filter((n) => inFlight.includes(n)), 'records held by another member').toEqual([]);
      }

      await crashing.consumer.abort();
      await waitFor(() => survivor.handled.length >= appended.length, 'every record at the survivor');
      gate.resolve();
      // A late finish of the aborted handler must not disturb the group.
      appended.push(...(await append(someKeys)));
      await waitFor(() => survivor.handled.length >= appended.length, 'the records after the abort');
      await settle();
      expect(ns(survivor.handled).sort((x, y) => x - y)).toEqual(ns(appended));
      if (capabilities.keyOrderAcrossMembers !== false) {
        for (const key of someKeys) {
          const got = ns(survivor.handled.filter((i) => i.key === key));
          expect(got, key).toEqual([...got].sort((x, y) => x - y));
        }
      }
    });

    it('a late finish of an aborted handler acknowledges nothing', async () => {
      const someKeys = keys(4);
      const { gate, hook } = holdFirst();
      const crashing = await join({ group: 'g', from: 'earliest' }, hook);
      const appended = await append(someKeys, 2);
      await waitFor(() => crashing.attempts.length === 1, 'a batch in flight');
      await crashing.consumer.abort();

      // The survivor's first batch fails, after the aborted handler finished meanwhile.
      const failing = deferred();
      cleanups.push(failing.resolve);
      const survivor = await join({ group: 'g', from: 'earliest' }, async (_records, call) => {
        if (call !== 1) return;
        await failing.promise;
        throw new Error('handler failed');
      });
      await waitFor(() => survivor.attempts.length === 1, 'the survivor to hold a batch');
      gate.resolve();
      await settle();
      failing.resolve();
      await waitFor(() => survivor.handled.length >= appended.length, 'every record handled');
      expect(ns(survivor.handled).sort((x, y) => x - y)).toEqual(ns(appended));
    });

    it('redelivers the batch of an aborted member to the next member that joins', async () => {
      const { hook } = holdFirst();
      const crashing = await join({ group: 'g', from: 'earliest' }, hook);
      const appended = await append(keys(3), 4);
      await waitFor(() => crashing.attempts.length === 1, 'a batch in flight');
      const inFlight = ns(values(crashing.attempts[0]!));
      await crashing.consumer.abort();

      const next = await join({ group: 'g', from: 'earliest' });
      await waitFor(() => next.handled.length >= appended.length, 'every record');
      expect(inFlight.every((n) => ns(next.handled).includes(n))).toBe(true);
      expect(ns(next.handled).sort((x, y) => x - y)).toEqual(ns(appended));
    });

    it('stop() waits for the batch in flight and acknowledges it', async () => {
      const [key] = keys(1);
      let finished = false;
      const gate = deferred();
      cleanups.push(gate.resolve);
      const member = await join({ group: 'g', from: 'earliest' }, async (_records, call) => {
        if (call === 1) await gate.promise;
        finished = true;
      });
      await append([key!], 5);
      await waitFor(() => member.attempts.length === 1, 'a batch in flight');

      let stopped = false;
      const stopping = member.consumer.stop().then(() => (stopped = true));
      await settle();
      expect(stopped).toBe(false);
      gate.resolve();
      await stopping;
      expect(finished).toBe(true);

      const next = await join({ group: 'g', from: 'earliest' });
      const [marker] = await append([key!]);
      await waitFor(() => next.handled.length > 0, 'the record after the stop');
      await settle();
      expect(ns(next.handled)).toEqual([marker!.n]);
    });

    it('a new group starts at the oldest record with `earliest`, at the end with `latest` or by default', async () => {
      const [key] = keys(1);
      const before = await append([key!], 3);
      const earliest = await join({ group: 'e', from: 'earliest' });
      const latest = await join({ group: 'l', from: 'latest' });
      const byDefault = await join({ group: 'd' });
      const after = await append([key!], 3);
      await waitFor(
        () => earliest.handled.length >= 6 && latest.handled.length >= 3 && byDefault.handled.length >= 3,
        'the new records in every group',
      );
      // Same key, so anything older would have arrived first.
      expect(ns(earliest.handled)).toEqual(ns([...before, ...after]));
      expect(ns(latest.handled)).toEqual(ns(after));
      expect(ns(byDefault.handled)).toEqual(ns(after));
    });

    it('lastByKey: the value last appended under each key, whatever consumers did', async () => {
      if (!log.lastByKey) return; // optional: an adapter that cannot read its tail (the generator says so)
      const [quiet, ...busy] = keys(6);
      const appended = await append([quiet!, ...busy], 3);
      // The quiet key's last value ends up far back in its partition, behind many entries.
      for (let round = 0; round < 40; round++) appended.push(...(await append(busy, 10)));
      appended.push(...(await append(busy.slice(0, 2))));
      const expected = new Map(appended.map((item) => [item.key, item]));
      const found = await log.lastByKey([quiet!, ...busy, 'never-appended']);
      expect(found).toEqual(expected);
    });

    it('consumerLag: what the group holds unacknowledged, per partition; nothing for a group that never consumed', async () => {
      expect(log.consumerLag, 'consumerLag').toBeTypeOf('function');
      const { gate, hook } = holdFirst();
      const member = await join({ group: 'g', from: 'earliest' }, hook);
      const appended = await append(keys(1), 5);
      await waitFor(() => member.attempts.length === 1, 'a batch in flight');
      const partition = member.attempts[0]![0]!.partition;
      // Records on Kafka and in memory, entries (one per append and partition) on Redis Streams.
      const held = (await log.consumerLag!('g')).get(partition);
      expect(held).toBeGreaterThanOrEqual(1);
      expect(held).toBeLessThanOrEqual(appended.length);
      gate.resolve();
      await waitFor(() => member.handled.length >= appended.length, 'every record handled');
      await waitFor(async () => (await log.consumerLag!('g')).get(partition) === 0, 'the lag to fall to 0 once acknowledged');
      expect((await log.consumerLag!('never-consumed')).size).toBe(0);
    });

    it('a group that acknowledged records resumes where it left off, whatever `from` says', async () => {
      const [key] = keys(1);
      const first = await join({ group: 'g', from: 'latest' });
      const seen = await append([key!], 2);
      await waitFor(() => first.handled.length >= 2, 'the first records');
      await first.consumer.stop();
      const missed = await append([key!], 3);
      const again = await join({ group: 'g', from: 'latest' });
      await waitFor(() => again.handled.length >= 3, 'the records appended meanwhile');
      expect(ns(first.handled)).toEqual(ns(seen));
      expect(ns(again.handled)).toEqual(ns(missed));
    });

    // Engines that keep by time or size (Kafka) promise the opposite: no record goes for its count.
    if (capabilities.retentionByCount === false) {
      it('keeps every record whatever their count; a group that fell behind reads them all, in order', async () => {
        await fixture!.cleanup();
        await open({ partitions: 1, retention: 10 });
        const [key] = keys(1);
        const lagging = await join({ group: 'lag', from: 'earliest' });
        const early = await append([key!], 5);
        await waitFor(() => lagging.handled.length >= early.length, 'the early records');
        await lagging.consumer.stop();

        const later: Item[] = [];
        for (let chunk = 0; chunk < 3; chunk++) later.push(...(await append([key!], 100)));
        const back = await join({ group: 'lag', from: 'earliest' });
        await waitFor(() => ns(back.handled).includes(later.at(-1)!.n), 'the newest record');
        expect(ns(back.handled)).toEqual(ns(later));
      });
      return;
    }

    it('keeps the newest records; a group that fell behind skips the dropped ones', async () => {
      const retention = 10;
      await fixture!.cleanup();
      await open({ partitions: 1, retention });
      const [key] = keys(1);
      const lagging = await join({ group: 'lag', from: 'earliest' });
      const early = await append([key!], 5);
      await waitFor(() => lagging.handled.length >= early.length, 'the early records');
      await lagging.consumer.stop();

      const later: Item[] = [];
      for (let chunk = 0; chunk < 30; chunk++) later.push(...(await append([key!], 100)));
      const last = later.at(-1)!.n;
      const back = await join({ group: 'lag', from: 'earliest' });
      const fresh = await join({ group: 'fresh', from: 'earliest' });
      await waitFor(() => ns(back.handled).includes(last) && ns(fresh.handled).includes(last), 'the newest record');

      for (const member of [back, fresh]) {
        const got = ns(member.handled);
        // A contiguous run ending at the newest record: at least `retention` long, missing the oldest.
        expect(got).toEqual(ns(later).slice(-got.length));
        expect(got.length).toBeGreaterThanOrEqual(retention);
        expect(got.length).toBeLessThan(later.length);
      }
    });
  });
}
