import type { LogRecordInput } from '../../ports/event-log.js';
import { carriedTraceparent, carryTraceparent } from '../../observability/tracing/carrier.js';
import type { Codec } from '../codec.js';
import { partitionFor } from '../partitioning.js';

/**
 * Most log records packed into one Kafka record. Packing is what makes the log cheap for this
 * client: @platformatic/kafka's cost is per Kafka record (on the producer: a record builder,
 * varints, a buffer per record; on the consumer: a message object, two bigints, a header map, a
 * commit closure and a stream push each), far more than per byte, and its garbage dominated one
 * processor's profile at one tick per record (bench/README.md). Past a few hundred the per-record
 * share is negligible, while what grows with a pack keeps growing: a handover after a crash
 * re-delivers the pack whole, handled records included.
 */
export const MAX_RECORDS_PER_PACK = 256;

/** A pack also ends at this many bytes of encoded values, far below the broker's 1 MB record limit. */
const MAX_PACK_BYTES = 256 * 1024;

/**
 * Header of a packed record, its value the number of log records inside (decimal). Without it a
 * record is one log record, as every record was before packing and as other producers write them:
 * those are read as they always were, also when they look like a pack.
 */
export const PACK_HEADER = 'tickstream-records';

/** The W3C Trace Context header of a sampled one-record record. */
export const TRACEPARENT_HEADER = 'traceparent';

/**
 * Header names as bytes: this client writes header keys as given, and a string key makes the whole
 * produce request fail (Buffer.concat refuses it), so keys go out as Buffers in a Map.
 */
const PACK_HEADER_KEY = Buffer.from(PACK_HEADER, 'latin1');
const TRACEPARENT_HEADER_KEY = Buffer.from(TRACEPARENT_HEADER, 'latin1');

/** The trace context goes in a header in a one-record record, as other Kafka tools expect it. */
const NO_INLINE_CONTEXT = { traceContext: false } as const;

export interface OutgoingMessage {
  readonly topic: string;
  /** A one-record record's key; a pack has none of its own (its records' keys are inside). */
  readonly key?: Buffer;
  readonly value: Buffer;
  readonly partition: number;
  readonly headers?: Map<Buffer, Buffer>;
  /** Log records it carries (1, or the pack's count): what SendQueue counts. */
  readonly records: number;
}

/**
 * The Kafka records of one append: the log records grouped by partition (`partitionFor`, so
 * per-key order within a partition is append order), each partition's run cut into packs of up to
 * MAX_RECORDS_PER_PACK. A run of one is written as a plain record (key, encoded value, trace
 * context in a `traceparent` header), exactly as before packing. A pack's value is text: a JSON
 * array of the keys on the first line, then each record's encoded value on a line of its own (the
 * Codec's output has no newline), its trace context inline (the codec's `tp`), since one header
 * cannot carry the contexts of many records. It has no Kafka key: a key would name one of its
 * records only, and log compaction, which keeps the newest record per key, would drop the others
 * (a compacted topic refuses keyless records outright, so that mistake cannot go unnoticed).
 */
export function packRecords<T>(topic: string, records: readonly LogRecordInput<T>[], partitions: number, codec: Codec<T>): OutgoingMessage[] {
  const byPartition = new Map<number, LogRecordInput<T>[]>();
  for (const record of records) {
    const p = partitionFor(record.key, partitions);
    const run = byPartition.get(p);
    if (run) run.push(record);
    else byPartition.set(p, [record]);
  }
  const messages: OutgoingMessage[] = [];
  for (const [partition, run] of byPartition) {
    if (run.length === 1) {
      messages.push(plainRecord(topic, partition, run[0]!, codec));
      continue;
    }
    let keys: string[] = [];
    let values: string[] = [];
    let bytes = 0;
    for (const record of run) {
      const value = codec.encode(record.value);
      keys.push(record.key);
      values.push(value);
      bytes += value.length;
      if (keys.length < MAX_RECORDS_PER_PACK && bytes < MAX_PACK_BYTES) continue;
      messages.push(pack(topic, partition, keys, values));
      keys = [];
      values = [];
      bytes = 0;
    }
    if (keys.length === 1) messages.push(plainRecord(topic, partition, run.at(-1)!, codec));
    else if (keys.length > 1) messages.push(pack(topic, partition, keys, values));
  }
  return messages;
}

function plainRecord<T>(topic: string, partition: number, record: LogRecordInput<T>, codec: Codec<T>): OutgoingMessage {
  const message = { topic, partition, key: Buffer.from(record.key, 'utf8'), value: Buffer.from(codec.encode(record.value, NO_INLINE_CONTEXT), 'utf8'), records: 1 };
  const traceparent = typeof record.value === 'object' && record.value !== null ? carriedTraceparent(record.value) : undefined;
  return traceparent === undefined ? message : { ...message, headers: new Map([[TRACEPARENT_HEADER_KEY, Buffer.from(traceparent, 'latin1')]]) };
}

function pack(topic: string, partition: number, keys: readonly string[], values: readonly string[]): OutgoingMessage {
  const value = Buffer.from(`${JSON.stringify(keys)}\n${values.join('\n')}`, 'utf8');
  return { topic, partition, value, headers: new Map([[PACK_HEADER_KEY, Buffer.from(String(keys.length), 'latin1')]]), records: keys.length };
}

/** The log records of a fetched Kafka record: keys, and values where the codec could read them. */
export interface UnpackedRecords<T> {
  readonly keys: readonly string[];
  /** undefined where the codec could not read the value (a bad producer). */
  readonly values: readonly (T | undefined)[];
}

/**
 * Reads a fetched record: a pack (PACK_HEADER) into its records, anything else as one record, as
 * before packing. A pack that is not whole (count, lines and keys disagree) is one unreadable record.
 */
export function unpackRecord<T>(key: Buffer | undefined | null, value: Buffer | undefined | null, headers: Map<Buffer, Buffer>, codec: Codec<T>): UnpackedRecords<T> {
  const count = headers.size > 0 ? headerValue(headers, PACK_HEADER) : undefined;
  if (count === undefined) {
    const decoded = value ? codec.decode(value) : undefined;
    if (decoded !== undefined && headers.size > 0 && typeof decoded === 'object' && decoded !== null) carryTraceparentFromHeader(decoded, headers);
    return { keys: [key?.toString('utf8') ?? ''], values: [decoded] };
  }
  const lines = value ? value.toString('utf8').split('\n') : [];
  const n = Number(count);
  let keys: unknown;
  try {
    keys = JSON.parse(lines[0] ?? '');
  } catch {
    keys = undefined;
  }
  if (!Number.isInteger(n) || n < 2 || lines.length !== n + 1 || !Array.isArray(keys) || keys.length !== n || !keys.every((k) => typeof k === 'string')) {
    return { keys: [''], values: [undefined] };
  }
  const values = new Array<T | undefined>(n);
  for (let i = 0; i < n; i++) values[i] = codec.decode(lines[i + 1]!);
  return { keys: keys as string[], values };
}

function carryTraceparentFromHeader(value: object, headers: Map<Buffer, Buffer>): void {
  const traceparent = headerValue(headers, TRACEPARENT_HEADER);
  if (traceparent !== undefined) carryTraceparent(value, traceparent);
}

/** A header's value as text (headers arrive keyed by Buffer). */
function headerValue(headers: Map<Buffer, Buffer>, name: string): string | undefined {
  for (const [key, value] of headers) if (key.toString('latin1') === name) return value.toString('latin1');
  return undefined;
}
