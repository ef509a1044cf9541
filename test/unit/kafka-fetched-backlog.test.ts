import { describe, expect, it } from 'vitest';
import type { Codec } from '../../src/adapters/codec.js';
import { FetchedBacklog, type KafkaMessage, type Position } from '../../src/adapters/kafka/fetched-backlog.js';
import { packRecords } from '../../src/adapters/kafka/packed-records.js';

/** Values are numbers; a negative one stands for a record a bad producer wrote. */
const codec: Codec<number> = {
  encode: (n) => String(n),
  decode: (raw) => {
    const n = Number(raw.toString());
    return Number.isInteger(n) && n >= 0 ? n : undefined;
  },
};

/** The fetched message of one append of `values` (all on partition 0), at `offset`. */
function fetched(offset: bigint, values: readonly number[], partition = 0): KafkaMessage {
  const [m, ...more] = packRecords('t', values.map((value) => ({ key: 'k', value })), 1, codec);
  if (!m || more.length > 0) throw new Error('expected one Kafka record');
  return { key: m.key, value: m.value, headers: new Map(m.headers ?? []), partition, offset } as unknown as KafkaMessage;
}

const owned = new Set([0, 1]);
const none = new Map<number, Position>();

describe('FetchedBacklog', () => {
  it('keeps packs whole in a batch while they fit, and commits past the last one', () => {
    const backlog = new FetchedBacklog(codec);
    backlog.add(fetched(10n, [1, 2, 3]));
    backlog.add(fetched(11n, [4, 5, 6]));
    backlog.add(fetched(12n, [7]));
    expect(backlog.pending).toBe(7);

    const first = backlog.take(5, owned, none);
    expect(first.records.map((r) => r.value)).toEqual([1, 2, 3]);
    expect(first.records.map((r) => r.offset)).toEqual(['10/0', '10/1', '10/2']);
    expect(first.commits).toEqual(new Map([[0, 11n]]));
    expect(first.handled).toEqual(new Map([[0, { offset: 11n, index: 0 }]]));

    const second = backlog.take(5, owned, first.handled);
    expect(second.records.map((r) => r.value)).toEqual([4, 5, 6, 7]);
    expect(second.records.map((r) => r.offset)).toEqual(['11/0', '11/1', '11/2', '12']);
    expect(second.commits).toEqual(new Map([[0, 13n]]));
    expect(backlog.isEmpty).toBe(true);
    expect(backlog.pending).toBe(0);
  });

  it('splits a pack larger than maxBatch, committing it only with its last records', () => {
    const backlog = new FetchedBacklog(codec);
    backlog.add(fetched(5n, [1, 2, 3, 4, 5]));
    const first = backlog.take(2, owned, none);
    expect(first.records.map((r) => r.value)).toEqual([1, 2]);
    // Not handled whole: a next owner gets the pack again from its start.
    expect(first.commits).toEqual(new Map([[0, 5n]]));
    expect(first.handled).toEqual(new Map([[0, { offset: 5n, index: 2 }]]));
    const second = backlog.take(2, owned, first.handled);
    expect(second.records.map((r) => r.value)).toEqual([3, 4]);
    const third = backlog.take(2, owned, second.handled);
    expect(third.records.map((r) => r.value)).toEqual([5]);
    expect(third.commits).toEqual(new Map([[0, 6n]]));
  });

  it('skips what the member handled already, down to a pack’s records, and partitions it does not own', () => {
    const backlog = new FetchedBacklog(codec);
    backlog.add(fetched(3n, [1, 2])); // handled whole before
    backlog.add(fetched(4n, [3, 4, 5])); // handled up to index 1
    backlog.add(fetched(0n, [9, 9], 2)); // a partition a rebalance took away
    backlog.add(fetched(5n, [6]));
    const batch = backlog.take(10, owned, new Map([[0, { offset: 4n, index: 1 }]]));
    expect(batch.records.map((r) => r.value)).toEqual([4, 5, 6]);
    expect(batch.commits).toEqual(new Map([[0, 6n]]));
    expect(backlog.isEmpty).toBe(true);
    expect(backlog.pending).toBe(0);
  });

  it('counts unreadable records, and commits past them with the batch', () => {
    const backlog = new FetchedBacklog(codec);
    backlog.add(fetched(0n, [1, -1, 2]));
    backlog.add(fetched(1n, [-1]));
    const batch = backlog.take(10, owned, none);
    expect(batch.records.map((r) => r.value)).toEqual([1, 2]);
    expect(batch.undecodable).toBe(2);
    expect(batch.commits).toEqual(new Map([[0, 2n]]));
  });

  it('keeps partitions apart: each commits its own next record', () => {
    const backlog = new FetchedBacklog(codec);
    backlog.add(fetched(7n, [1, 2], 0));
    backlog.add(fetched(3n, [3, 4], 1));
    const batch = backlog.take(10, owned, none);
    expect(batch.records.map((r) => [r.partition, r.value])).toEqual([[0, 1], [0, 2], [1, 3], [1, 4]]);
    expect(batch.commits).toEqual(new Map([[0, 8n], [1, 4n]]));
  });
});
