import { describe, expect, it } from 'vitest';
import type { Codec } from '../../src/adapters/codec.js';
import { EntryBacklog, type HandlerBatch } from '../../src/adapters/redis/entry-backlog.js';
import { MAX_RECORDS_PER_ENTRY } from '../../src/adapters/redis/packed-entries.js';
import type { StreamEntry } from '../../src/adapters/redis/stream-replies.js';

/** Values are numbers; anything else is what a bad producer wrote. */
const numbers: Codec<number> = {
  encode: String,
  decode: (raw) => (/^\d+$/.test(String(raw)) ? Number(raw) : undefined),
};

/** A packed entry of `values` under key K, as XREADGROUP returns it. */
const packed = (id: string, values: readonly (number | string)[], partition = 0): StreamEntry => ({
  id,
  partition,
  fields: ['records', String(values.length), ...values.flatMap((v) => ['K', String(v)])],
});

const summary = (batch: HandlerBatch<number>) => ({
  values: batch.records.map((r) => r.value),
  completed: batch.completed.map((e) => e.id),
  skipped: batch.skipped.map((e) => e.id),
});

describe('EntryBacklog', () => {
  it('fills batches up to maxBatch across entries, an entry complete only with its last records', () => {
    const backlog = new EntryBacklog(numbers);
    backlog.add([packed('1-0', [1, 2, 3]), packed('2-0', [4, 5, 6, 7, 8, 9, 10]), packed('3-0', [11])]);
    expect(summary(backlog.take(4))).toEqual({ values: [1, 2, 3, 4], completed: ['1-0'], skipped: [] });
    expect(summary(backlog.take(4))).toEqual({ values: [5, 6, 7, 8], completed: [], skipped: [] });
    expect(summary(backlog.take(4))).toEqual({ values: [9, 10, 11], completed: ['2-0', '3-0'], skipped: [] });
    expect(backlog.isEmpty).toBe(true);
  });

  it('gives each record its partition and `<entry id>/<index>` as offset', () => {
    const backlog = new EntryBacklog(numbers);
    backlog.add([packed('5-1', [7, 8], 3)]);
    expect(backlog.take(10).records).toEqual([
      { key: 'K', value: 7, partition: 3, offset: '5-1/0' },
      { key: 'K', value: 8, partition: 3, offset: '5-1/1' },
    ]);
  });

  it('reads entries of the one-record layout of earlier versions among packed ones', () => {
    const backlog = new EntryBacklog(numbers);
    backlog.add([{ id: '1-0', partition: 0, fields: ['key', 'OLD', 'value', '1'] }, packed('2-0', [2, 3])]);
    const batch = backlog.take(10);
    expect(batch.records.map((r) => [r.key, r.value, r.offset])).toEqual([
      ['OLD', 1, '1-0/0'],
      ['K', 2, '2-0/0'],
      ['K', 3, '2-0/1'],
    ]);
  });

  it('skips and counts malformed records, delivering the others of their entry', () => {
    const backlog = new EntryBacklog(numbers);
    backlog.add([packed('1-0', [1, 'not a number', 3, 'nor this'])]);
    const batch = backlog.take(10);
    expect(summary(batch)).toEqual({ values: [1, 3], completed: ['1-0'], skipped: [] });
    expect(batch.completed[0]!.malformed).toBe(2);
  });

  it('marks as skipped the entries with nothing to deliver: trimmed, of no known layout, or only malformed records left', () => {
    const backlog = new EntryBacklog(numbers);
    backlog.add([
      { id: '1-0', partition: 0, fields: null },
      { id: '2-0', partition: 0, fields: ['something', 'else'] },
      packed('3-0', [1, 2, 'bad']),
      packed('4-0', [4]),
    ]);
    expect(summary(backlog.take(2))).toEqual({ values: [1, 2], completed: [], skipped: ['1-0', '2-0'] });
    // The rest of 3-0 is malformed: it ends with no record in the batch, so it waits on no handler.
    const batch = backlog.take(2);
    expect(summary(batch)).toEqual({ values: [4], completed: ['4-0'], skipped: ['3-0'] });
    expect(batch.skipped[0]!.malformed).toBe(1);
  });

  it('counts an entry of no known layout as one malformed record, a trimmed one as none', () => {
    const backlog = new EntryBacklog(numbers);
    backlog.add([
      { id: '1-0', partition: 0, fields: null },
      { id: '2-0', partition: 0, fields: ['records', '3', 'K', '1'] },
    ]);
    expect(backlog.take(10).skipped.map((e) => e.malformed)).toEqual([0, 1]);
  });

  it('forgets the entries of a partition, the one in the middle of delivery included', () => {
    const backlog = new EntryBacklog(numbers);
    backlog.add([packed('1-0', [1, 2, 3], 0), packed('1-1', [10], 1), packed('2-0', [4], 0)]);
    expect(backlog.take(2).records.map((r) => r.value)).toEqual([1, 2]);
    backlog.forget(0);
    expect(summary(backlog.take(10))).toEqual({ values: [10], completed: ['1-1'], skipped: [] });
    expect(backlog.isEmpty).toBe(true);
  });

  it('tracks the records per entry of recent reads, starting from full entries', () => {
    const backlog = new EntryBacklog(numbers);
    expect(backlog.recordsPerEntry).toBe(MAX_RECORDS_PER_ENTRY);
    for (let i = 0; i < 20; i++) backlog.add([packed(`${i}-0`, [1, 2]), packed(`${i}-1`, [1, 2, 3, 4, 5, 6])]);
    expect(backlog.recordsPerEntry).toBeCloseTo(4, 3);
  });
});
