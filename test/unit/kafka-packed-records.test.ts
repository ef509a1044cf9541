import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_RECORDS_PER_PACK, PACK_HEADER, TRACEPARENT_HEADER, packRecords, unpackRecord, type OutgoingMessage } from '../../src/adapters/kafka/packed-records.js';
import { tickCodec } from '../../src/adapters/codec.js';
import { partitionFor } from '../../src/adapters/partitioning.js';
import type { Tick } from '../../src/domain/tick.js';
import { carriedTraceparent, carryTraceparent } from '../../src/observability/tracing/carrier.js';
import { tracingState } from '../../src/observability/tracing/state.js';

const tick = (symbol: string, seq: number): Tick => ({ symbol, price: 100 + seq, size: 1, ts: 1_700_000_000_000 + seq, seq, source: 'test' });
const header = (m: OutgoingMessage, name: string): string | undefined => [...(m.headers ?? new Map<Buffer, Buffer>())].find(([k]) => k.toString() === name)?.[1].toString();
/** What a consumer gets for a produced message: headers keyed by Buffer, as fetched. */
const unpack = (m: OutgoingMessage) => unpackRecord(m.key, m.value, new Map(m.headers ?? []), tickCodec);

describe('Kafka packed records', () => {
  // Trace contexts are carried only while this process traces.
  beforeEach(() => void (tracingState.on = true));
  afterEach(() => void (tracingState.on = false));

  it('packs each partition’s records in append order, one Kafka record per partition, with no key of its own', () => {
    const records = ['A', 'B', 'C', 'D', 'E', 'F'].flatMap((s) => [1, 2, 3].map((seq) => ({ key: s, value: tick(s, seq) })));
    const messages = packRecords('ticks', records, 4, tickCodec);
    const partitions = new Set(records.map((r) => partitionFor(r.key, 4)));
    expect(messages.map((m) => m.partition).sort()).toEqual([...partitions].sort());
    for (const m of messages) {
      const expected = records.filter((r) => partitionFor(r.key, 4) === m.partition);
      expect(m.key).toBeUndefined();
      expect(header(m, PACK_HEADER)).toBe(String(expected.length));
      expect(m.records).toBe(expected.length);
      const { keys, values } = unpack(m);
      expect(keys).toEqual(expected.map((r) => r.key));
      expect(values).toEqual(expected.map((r) => r.value));
    }
  });

  it('writes a partition’s lone record as before packing: key, value, trace context in a header', () => {
    const sampled = tick('AAPL', 7);
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    carryTraceparent(sampled, traceparent);
    const [m, ...rest] = packRecords('ticks', [{ key: 'AAPL', value: sampled }], 8, tickCodec);
    expect(rest).toEqual([]);
    expect(m!.key?.toString()).toBe('AAPL');
    expect(header(m!, PACK_HEADER)).toBeUndefined();
    expect(header(m!, TRACEPARENT_HEADER)).toBe(traceparent);
    expect(JSON.parse(m!.value.toString())).toEqual(sampled);
    const { keys, values } = unpack(m!);
    expect(keys).toEqual(['AAPL']);
    expect(values).toEqual([sampled]);
    expect(carriedTraceparent(values[0]!)).toBe(traceparent);
  });

  it('carries a packed record’s trace context inline', () => {
    const sampled = tick('AAPL', 2);
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    carryTraceparent(sampled, traceparent);
    const [m] = packRecords('ticks', [{ key: 'AAPL', value: tick('AAPL', 1) }, { key: 'AAPL', value: sampled }], 1, tickCodec);
    const { values } = unpack(m!);
    expect(carriedTraceparent(values[0]!)).toBeUndefined();
    expect(carriedTraceparent(values[1]!)).toBe(traceparent);
  });

  it(`cuts a partition’s run into packs of at most ${MAX_RECORDS_PER_PACK}, a lone remainder as a plain record`, () => {
    const records = Array.from({ length: 2 * MAX_RECORDS_PER_PACK + 1 }, (_, i) => ({ key: 'AAPL', value: tick('AAPL', i + 1) }));
    const messages = packRecords('ticks', records, 1, tickCodec);
    expect(messages.map((m) => m.records)).toEqual([MAX_RECORDS_PER_PACK, MAX_RECORDS_PER_PACK, 1]);
    expect(messages.map((m) => header(m, PACK_HEADER))).toEqual([String(MAX_RECORDS_PER_PACK), String(MAX_RECORDS_PER_PACK), undefined]);
    expect(messages.flatMap((m) => unpack(m).values.map((t) => t!.seq))).toEqual(records.map((r) => r.value.seq));
  });

  it('reads a record without the pack header as one record, even one whose value has newlines (another producer’s)', () => {
    const value = Buffer.from('{\n  "symbol": "AAPL", "price": 1, "size": 1, "ts": 1, "seq": 1, "source": "x"\n}');
    const { keys, values } = unpackRecord(Buffer.from('AAPL'), value, new Map(), tickCodec);
    expect(keys).toEqual(['AAPL']);
    expect(values.map((t) => t?.seq)).toEqual([1]);
  });

  it('reads a pack that is not whole as one unreadable record; an unreadable value in a pack as undefined', () => {
    const pack = (count: string, text: string) => unpackRecord(null, Buffer.from(text), new Map([[Buffer.from(PACK_HEADER), Buffer.from(count)]]), tickCodec);
    const good = JSON.stringify(tick('A', 1));
    expect(pack('3', `["A","A"]\n${good}\n${good}`)).toEqual({ keys: [''], values: [undefined] });
    expect(pack('2', `["A"]\n${good}\n${good}`)).toEqual({ keys: [''], values: [undefined] });
    expect(pack('2', `not json\n${good}\n${good}`)).toEqual({ keys: [''], values: [undefined] });
    const partly = pack('2', `["A","A"]\n${good}\n{broken`);
    expect(partly.keys).toEqual(['A', 'A']);
    expect(partly.values.map((t) => t?.seq)).toEqual([1, undefined]);
  });
});
