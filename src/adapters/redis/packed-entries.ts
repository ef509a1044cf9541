import type { LogRecordInput } from '../../ports/event-log.js';
import type { Codec } from '../codec.js';

/**
 * Most records packed into one stream entry. Packing is what makes the log cheap: Redis's cost per
 * entry (the command, the ID, the radix-tree insert, a PEL slot, an XACK id) is many times its cost
 * per field, so entries of ~250 records cost ~0.1 µs per record to add and ~0.1 µs to read, where
 * one-record entries cost ~0.6 and ~1.2 µs (commandstats, Redis 7.0, 2 cores). Past a few hundred
 * records the per-entry share is negligible, while the costs that grow with the entry keep
 * growing: one XADD holds Redis's only thread for the whole entry (~20–30 µs at 256), retention is
 * trimmed in whole entries, and a handler failure brings the whole entry back, records already
 * handled included.
 */
export const MAX_RECORDS_PER_ENTRY = 256;

/**
 * First field of a packed entry, its value the number of records that follow. It tells packed
 * entries from the one-record entries of earlier versions (`key` K `value` V), which a rolling
 * upgrade leaves in the stream, and its count lets a reader check that the rest is whole.
 */
const RECORDS_FIELD = 'records';

/**
 * The XADD that writes `records[from, to)` as one entry: `records` N, then each record's key and
 * encoded value as a field-value pair (field names may repeat in a stream entry), trimming the
 * stream to about `maxlen` entries (never fewer). Bare pairs rather than labelled ones (`k` K `v`
 * V): labels double the fields, and measured on 256-record entries they doubled what XADD and
 * XREADGROUP cost Redis and made reading 2.5 times slower end to end.
 */
export function packedXAdd<T>(stream: string, maxlen: number, records: readonly LogRecordInput<T>[], from: number, to: number, codec: Codec<T>): string[] {
  const args = new Array<string>(8 + 2 * (to - from));
  args[0] = 'XADD';
  args[1] = stream;
  args[2] = 'MAXLEN';
  args[3] = '~';
  args[4] = String(maxlen);
  args[5] = '*';
  args[6] = RECORDS_FIELD;
  args[7] = String(to - from);
  for (let i = from, at = 8; i < to; i++, at += 2) {
    const record = records[i]!;
    args[at] = record.key;
    args[at + 1] = codec.encode(record.value);
  }
  return args;
}

/** Where an entry's records are: record i has its key at `fields[first + 2i]` and its encoded value right after. */
export interface EntryRecords {
  readonly fields: readonly unknown[];
  readonly first: number;
  readonly count: number;
}

/** The records of an entry's flat field list, packed or of the older one-record layout; undefined if it is neither. */
export function entryRecords(fields: readonly unknown[]): EntryRecords | undefined {
  if (fields[0] !== RECORDS_FIELD) return oneRecordEntry(fields);
  const count = Number(fields[1]);
  return Number.isInteger(count) && count >= 0 && fields.length === 2 + 2 * count ? { fields, first: 2, count } : undefined;
}

/** The layout before packing: fields `key` and `value`, in any order. */
function oneRecordEntry(fields: readonly unknown[]): EntryRecords | undefined {
  let key: unknown;
  let value: unknown;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'key') key = fields[i + 1];
    else if (fields[i] === 'value') value = fields[i + 1];
  }
  return key === undefined || value === undefined ? undefined : { fields: [key, value], first: 0, count: 1 };
}
