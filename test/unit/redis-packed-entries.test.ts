import { describe, expect, it } from 'vitest';
import type { Codec } from '../../src/adapters/codec.js';
import { entryRecords, packedXAdd } from '../../src/adapters/redis/packed-entries.js';

const text: Codec<string> = { encode: (v) => `<${v}>`, decode: (raw) => String(raw) };
const records = ['a', 'b', 'c', 'd'].map((v, i) => ({ key: `K${i}`, value: v }));

/** Each record of an entry's field list, as [key, encoded value]. */
function unpack(fields: readonly unknown[]): unknown[][] | undefined {
  const found = entryRecords(fields);
  if (!found) return undefined;
  return Array.from({ length: found.count }, (_, i) => [found.fields[found.first + 2 * i], found.fields[found.first + 2 * i + 1]]);
}

describe('packedXAdd', () => {
  it('writes a slice of the records as one entry: a record count, then key and value per record', () => {
    expect(packedXAdd('s:0', 7, records, 1, 3, text)).toEqual(['XADD', 's:0', 'MAXLEN', '~', '7', '*', 'records', '2', 'K1', '<b>', 'K2', '<c>']);
  });
});

describe('entryRecords', () => {
  it('reads back what packedXAdd wrote, repeated keys included', () => {
    const same = [...records, { key: 'K0', value: 'e' }];
    const fields = packedXAdd('s', 1, same, 0, same.length, text).slice(6);
    expect(unpack(fields)).toEqual(same.map((r) => [r.key, `<${r.value}>`]));
  });

  it('reads an entry of the one-record layout of earlier versions, fields in either order', () => {
    expect(unpack(['key', 'AAPL', 'value', '{}'])).toEqual([['AAPL', '{}']]);
    expect(unpack(['value', '{}', 'key', 'AAPL'])).toEqual([['AAPL', '{}']]);
  });

  it('refuses an entry of neither layout, or one whose record count does not match its fields', () => {
    expect(entryRecords(['something', 'else'])).toBeUndefined();
    expect(entryRecords(['key', 'AAPL'])).toBeUndefined();
    expect(entryRecords(['records', '2', 'K0', 'v0'])).toBeUndefined();
    expect(entryRecords(['records', 'two', 'K0', 'v0', 'K1', 'v1'])).toBeUndefined();
  });
});
