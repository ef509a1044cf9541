import { describe, expect, it } from 'vitest';
import { clampOffset, commitOffsets, CONTROL_BATCH, extractRecords, PartitionBuffers, seekBackOffsets, type FetchedBatch } from '../../src/adapters/kafka/offsets.js';

const batch = (firstOffset: number, count: number, attributes = 0): FetchedBatch => ({
  firstOffset: BigInt(firstOffset),
  lastOffsetDelta: count - 1,
  attributes,
  records: Array.from({ length: attributes & CONTROL_BATCH ? 1 : count }, (_, i) => ({ offsetDelta: i, key: Buffer.from('K'), value: Buffer.from(String(firstOffset + i)) })),
});

const offsets = (records: { offset: bigint }[]): number[] => records.map((r) => Number(r.offset));

describe('extractRecords', () => {
  it('returns the records from the requested offset on, and the next offset to fetch', () => {
    const { records, next } = extractRecords(3, [batch(10, 3), batch(13, 2)], 10n);
    expect(offsets(records)).toEqual([10, 11, 12, 13, 14]);
    expect(records.every((r) => r.partition === 3)).toBe(true);
    expect(records[0]!.value!.toString()).toBe('10');
    expect(next).toBe(15n);
  });

  it('drops records before the requested offset (a compressed batch may start earlier)', () => {
    const { records, next } = extractRecords(0, [batch(10, 5)], 12n);
    expect(offsets(records)).toEqual([12, 13, 14]);
    expect(next).toBe(15n);
  });

  it('skips transaction markers but moves past them', () => {
    const { records, next } = extractRecords(0, [batch(20, 2), batch(22, 1, CONTROL_BATCH), batch(23, 1)], 20n);
    expect(offsets(records)).toEqual([20, 21, 23]);
    expect(next).toBe(24n);
    const onlyMarker = extractRecords(0, [batch(30, 1, CONTROL_BATCH)], 30n);
    expect(onlyMarker.records).toEqual([]);
    expect(onlyMarker.next).toBe(31n);
  });

  it('stays put without batches', () => {
    expect(extractRecords(0, [], 7n)).toEqual({ records: [], next: 7n });
  });
});

describe('commit and seek bookkeeping', () => {
  const handled = [
    { partition: 0, offset: 5n },
    { partition: 1, offset: 40n },
    { partition: 0, offset: 6n },
    { partition: 0, offset: 7n },
    { partition: 1, offset: 41n },
  ];

  it('commits the last handled offset + 1 per partition', () => {
    expect(commitOffsets(handled)).toEqual(
      new Map([
        [0, 8n],
        [1, 42n],
      ]),
    );
    expect(commitOffsets([])).toEqual(new Map());
  });

  it('seeks a failed batch back to its first offset per partition', () => {
    expect(seekBackOffsets(handled)).toEqual(
      new Map([
        [0, 5n],
        [1, 40n],
      ]),
    );
  });

  it('moves an out-of-range position into the retained range', () => {
    expect(clampOffset(3n, 100n, 200n)).toBe(100n);
    expect(clampOffset(250n, 100n, 200n)).toBe(200n);
    expect(clampOffset(150n, 100n, 200n)).toBe(150n);
  });
});

describe('PartitionBuffers', () => {
  const records = (partition: number, from: number, count: number) => Array.from({ length: count }, (_, i) => ({ partition, offset: BigInt(from + i) }));

  it('takes at most max records, keeping each partition in offset order', () => {
    const buffers = new PartitionBuffers<{ partition: number; offset: bigint }>();
    buffers.push(0, records(0, 0, 5));
    buffers.push(1, records(1, 100, 5));
    buffers.push(0, records(0, 5, 2));
    expect(buffers.size).toBe(12);
    const taken: { partition: number; offset: bigint }[] = [];
    for (let batch = buffers.take(4); batch.length > 0; batch = buffers.take(4)) {
      expect(batch.length).toBeLessThanOrEqual(4);
      taken.push(...batch);
    }
    expect(offsets(taken.filter((r) => r.partition === 0))).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(offsets(taken.filter((r) => r.partition === 1))).toEqual([100, 101, 102, 103, 104]);
    expect(buffers.size).toBe(0);
    expect(buffers.has(0)).toBe(false);
  });

  it('starts each batch at another partition, so a busy one cannot starve the rest', () => {
    const buffers = new PartitionBuffers<{ partition: number; offset: bigint }>();
    buffers.push(0, records(0, 0, 100));
    buffers.push(1, records(1, 0, 100));
    const first = buffers.take(10);
    const second = buffers.take(10);
    expect(new Set(first.map((r) => r.partition))).toEqual(new Set([first[0]!.partition]));
    expect(second[0]!.partition).not.toBe(first[0]!.partition);
  });

  it('clears one partition (a seek) or all (a rebalance)', () => {
    const buffers = new PartitionBuffers<{ partition: number; offset: bigint }>();
    buffers.push(0, records(0, 0, 3));
    buffers.push(1, records(1, 0, 3));
    buffers.clear(0);
    expect(buffers.has(0)).toBe(false);
    expect(buffers.has(1)).toBe(true);
    buffers.clear();
    expect(buffers.size).toBe(0);
    expect(buffers.take(10)).toEqual([]);
  });
});
