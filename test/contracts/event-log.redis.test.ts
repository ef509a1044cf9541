import { describe, expect, it } from 'vitest';
import { MAX_RECORDS_PER_ENTRY } from '../../src/adapters/redis/packed-entries.js';
import { RedisStreamsEventLog } from '../../src/adapters/redis/redis-streams-event-log.js';
import type { LogRecord } from '../../src/ports/event-log.js';
import { deferred } from '../support/async.js';
import { deletePrefix, redisTestContext, redisUrl, uniquePrefix } from '../support/redis.js';
import { waitFor } from '../support/wait.js';
import { eventLogContract, itemCodec, type Item } from './event-log.contract.js';

const openLog = async ({ partitions, retention }: { partitions: number; retention: number }) => {
  const prefix = uniquePrefix('log');
  const log = new RedisStreamsEventLog<Item>({ url: redisUrl, prefix, stream: 'items', partitions, retention, codec: itemCodec, blockMs: 100, claimIdleMs: 500, retryBackoffMs: 20 });
  await log.start();
  return {
    log,
    cleanup: async () => {
      await log.close();
      await deletePrefix(prefix);
    },
  };
};

// Short block and takeover times keep the redelivery tests quick; they are the knobs an operator
// would tune, not behaviour. Per-key order across members holds (partitions are leased to one
// member at a time), so no capability is turned off.
eventLogContract('redis streams', openLog);

describe('RedisStreamsEventLog: records packed into stream entries', () => {
  const redis = redisTestContext();

  const open = async (partitions = 1, retention = 10_000) => {
    const fixture = await openLog({ partitions, retention });
    redis.cleanups.push(fixture.cleanup);
    return fixture.log;
  };

  const items = (from: number, count: number, key = 'K'): Item[] => Array.from({ length: count }, (_, i) => ({ key, n: from + i }));
  const append = (log: RedisStreamsEventLog<Item>, values: readonly Item[]) => log.append(values.map((value) => ({ key: value.key, value })));
  /** The field list of every entry of a stream, oldest first. */
  const entries = async (stream: string) => ((await redis.admin.sendCommand(['XRANGE', stream, '-', '+'])) as [string, string[]][]).map(([, fields]) => fields);
  const recordsIn = async (stream: string) => (await entries(stream)).reduce((sum, fields) => sum + Number(fields[1]), 0);
  const pending = async (stream: string) => ((await redis.admin.sendCommand(['XPENDING', stream, 'g'])) as [number])[0];

  /** A member of group g; `hook` runs in each handler call, and fails it by throwing. */
  const consume = async (log: RedisStreamsEventLog<Item>, maxBatch: number, hook?: (call: number) => Promise<void> | void) => {
    const calls: LogRecord<Item>[][] = [];
    const handled: number[] = [];
    const consumer = await log.consume({ group: 'g', from: 'earliest', maxBatch }, async (records) => {
      calls.push([...records]);
      await hook?.(calls.length);
      handled.push(...records.map((r) => r.value.n));
    });
    redis.cleanups.push(() => consumer.abort());
    return { calls, handled };
  };

  it('writes one entry per partition per append, split past MAX_RECORDS_PER_ENTRY records', async () => {
    const log = await open(2);
    const keys = ['AAPL', 'MSFT', 'TSLA', 'NVDA', 'GOOG', 'AMZN'];
    const appended = Array.from({ length: 700 }, (_, i) => ({ key: keys[i % keys.length]!, n: i + 1 }));
    await append(log, appended);
    for (const stream of log.streamKeys) {
      const counts = (await entries(stream)).map((fields) => Number(fields[1]));
      const total = counts.reduce((a, b) => a + b, 0);
      expect(counts.length).toBe(Math.ceil(total / MAX_RECORDS_PER_ENTRY));
      expect(Math.max(...counts)).toBeLessThanOrEqual(MAX_RECORDS_PER_ENTRY);
    }
    expect((await recordsIn(log.streamKeys[0]!)) + (await recordsIn(log.streamKeys[1]!))).toBe(appended.length);
  });

  it('reads the one-record entries an earlier version left in the stream, in order with packed ones', async () => {
    const log = await open();
    const stream = log.streamKeys[0]!;
    const legacy = async (item: Item) => redis.admin.sendCommand(['XADD', stream, '*', 'key', item.key, 'value', JSON.stringify(item)]);
    await legacy({ key: 'K', n: 1 });
    await legacy({ key: 'K', n: 2 });
    await append(log, items(3, 3));
    await legacy({ key: 'K', n: 6 });
    const reader = await consume(log, 500);
    await waitFor(() => reader.handled.length >= 6, 'every record');
    expect(reader.handled).toEqual([1, 2, 3, 4, 5, 6]);
    expect(log.malformed).toBe(0);
  });

  it('delivers an entry larger than maxBatch over several handler calls, acknowledged after the last; a failure brings it back whole', async () => {
    const log = await open();
    const stream = log.streamKeys[0]!;
    await append(log, items(1, 10));
    const reader = await consume(log, 4, (call) => {
      if (call === 2) throw new Error('handler failed');
    });
    await waitFor(() => reader.handled.length >= 14, 'the entry to be handled again after the failure');
    expect(reader.calls.map((c) => c.map((r) => r.value.n))).toEqual([[1, 2, 3, 4], [5, 6, 7, 8], [1, 2, 3, 4], [5, 6, 7, 8], [9, 10]]);
    const [id] = reader.calls[0]![0]!.offset.split('/');
    expect(reader.calls.slice(2).flat().map((r) => r.offset)).toEqual(items(0, 10).map((i) => `${id}/${i.n}`));
    await waitFor(async () => (await pending(stream)) === 0, 'the acknowledgement');
  });

  it('acknowledges an entry only once the handler has had all its records', async () => {
    const log = await open();
    const stream = log.streamKeys[0]!;
    await append(log, items(1, 6));
    const gate = deferred();
    redis.cleanups.push(async () => gate.resolve());
    const reader = await consume(log, 3, (call) => (call === 2 ? gate.promise : undefined));
    await waitFor(() => reader.calls.length === 2, 'the second part of the entry in flight');
    expect(reader.handled).toEqual([1, 2, 3]);
    expect(await pending(stream)).toBe(1);
    gate.resolve();
    await waitFor(async () => (await pending(stream)) === 0, 'the acknowledgement');
    expect(reader.handled).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('skips and counts a malformed record inside a packed entry, and delivers the others', async () => {
    const log = await open();
    const stream = log.streamKeys[0]!;
    const good = items(1, 2);
    await redis.admin.sendCommand(['XADD', stream, '*', 'records', '3', 'K', JSON.stringify(good[0]), 'K', 'not json', 'K', JSON.stringify(good[1])]);
    const reader = await consume(log, 500);
    await waitFor(() => reader.handled.length >= 2, 'the good records');
    expect(reader.handled).toEqual([1, 2]);
    expect(reader.calls.flat().map((r) => r.offset.split('/')[1])).toEqual(['0', '2']);
    await waitFor(() => log.malformed === 1, 'the malformed record to be counted');
    await waitFor(async () => (await pending(stream)) === 0, 'the acknowledgement');
  });

  it('keeps at least `retention` records while entry sizes vary', async () => {
    const retention = 300;
    const log = await open(1, retention);
    const stream = log.streamKeys[0]!;
    let n = 0;
    // Many small entries, then large ones: dividing retention by the newest entry's size would trim to two entries.
    for (const size of [...Array<number>(400).fill(1), 256, 256, 3, 1, 256, 2]) {
      await append(log, items(n + 1, size));
      n += size;
      const records = await recordsIn(stream);
      expect(records).toBeGreaterThanOrEqual(Math.min(n, retention));
    }
    expect(await recordsIn(stream)).toBeLessThan(n);
  });
});
