import { describe, expect, it } from 'vitest';
import { tickCodec } from '../../src/adapters/codec.js';
import { entryRecords } from '../../src/adapters/redis/packed-entries.js';
import { RedisStreamsEventLog, type RedisStreamsEventLogOptions } from '../../src/adapters/redis/redis-streams-event-log.js';
import type { Tick } from '../../src/domain/tick.js';
import type { Consumer, LogRecord } from '../../src/ports/event-log.js';
import { deferred, settle } from '../support/async.js';
import { deletePrefix, redisTestContext, redisUrl, uniquePrefix } from '../support/redis.js';
import { aTickRun } from '../support/ticks.js';
import { sleep, waitFor } from '../support/wait.js';

const redis = redisTestContext();

const CLAIM_IDLE_MS = 400;

async function open(extra: Partial<RedisStreamsEventLogOptions<Tick>> = {}) {
  const prefix = uniquePrefix('streams-it');
  const log = new RedisStreamsEventLog<Tick>({
    url: redisUrl,
    prefix,
    stream: 'ticks',
    retention: 10_000,
    codec: tickCodec,
    blockMs: 100,
    claimIdleMs: CLAIM_IDLE_MS,
    retryBackoffMs: 20,
    ...extra,
  });
  await log.start();
  redis.cleanups.push(async () => {
    await log.close();
    await deletePrefix(prefix);
  });
  return { log, stream: log.streamKeys[0]!, prefix };
}

interface Seen {
  readonly consumer: Consumer;
  readonly batches: LogRecord<Tick>[][];
  readonly seqs: number[];
}

async function member(log: RedisStreamsEventLog<Tick>, name: string, hold?: Promise<void>, fail?: () => boolean): Promise<Seen> {
  return join(log, name, undefined, hold, fail);
}

async function join(log: RedisStreamsEventLog<Tick>, name: string, maxBatch: number | undefined, hold?: Promise<void>, fail?: () => boolean): Promise<Seen> {
  const batches: LogRecord<Tick>[][] = [];
  const seqs: number[] = [];
  const consumer = await log.consume({ group: 'g', member: name, from: 'earliest', maxBatch: maxBatch ?? 500 }, async (records) => {
    batches.push([...records]);
    if (batches.length === 1 && hold) await hold;
    if (fail?.()) throw new Error('handler failed');
    seqs.push(...records.map((r) => r.value.seq));
  });
  redis.cleanups.push(() => consumer.abort());
  return { consumer, batches, seqs };
}

/** Records in the stream entry `id` (an append packs its records of a partition into one entry). */
async function recordsIn(stream: string, id: string): Promise<number> {
  const [entry] = (await redis.admin.sendCommand(['XRANGE', stream, id, id])) as [string, string[]][];
  return entry ? (entryRecords(entry[1])?.count ?? 0) : 0;
}

/** How many records are pending, per member (XPENDING counts entries). */
async function pendingByMember(stream: string): Promise<Record<string, number>> {
  const pending = (await redis.admin.sendCommand(['XPENDING', stream, 'g', '-', '+', '10000'])) as [string, string, number, number][];
  const out: Record<string, number> = {};
  for (const [id, name] of pending) out[name] = (out[name] ?? 0) + (await recordsIn(stream, id));
  return out;
}

async function consumersOf(stream: string): Promise<string[]> {
  const reply = (await redis.admin.sendCommand(['XINFO', 'CONSUMERS', stream, 'g'])) as { name: string }[];
  return reply.map((c) => c.name).sort();
}

describe('RedisStreamsEventLog on a real Redis', () => {
  it('hands the pending batch of an aborted member to another one through XAUTOCLAIM', async () => {
    const { log, stream } = await open();
    const gate = deferred();
    redis.cleanups.push(gate.resolve);
    const crashing = await member(log, 'crashing', gate.promise);
    const ticks = aTickRun(12);
    await log.append(ticks.map((t) => ({ key: t.symbol, value: t })));
    await waitFor(() => crashing.batches.length === 1, 'a batch in flight');
    const inFlight = crashing.batches[0]!.map((r) => r.offset);

    await crashing.consumer.abort();
    // Nothing was acknowledged: the entries wait in the crashed member's pending list.
    expect(await pendingByMember(stream)).toEqual({ crashing: inFlight.length });

    const survivor = await member(log, 'survivor');
    await waitFor(() => survivor.seqs.length >= ticks.length, 'the claimed batch at the survivor');
    expect(survivor.batches.flat().map((r) => r.offset)).toEqual(inFlight);
    expect(survivor.seqs).toEqual(ticks.map((t) => t.seq));
    await waitFor(async () => Object.keys(await pendingByMember(stream)).length === 0, 'the survivor to acknowledge');
    // The late finish of the aborted handler acknowledges nothing and delivers nothing twice.
    gate.resolve();
    await settle();
    expect(crashing.seqs).toEqual(ticks.map((t) => t.seq));
    expect(survivor.seqs).toEqual(ticks.map((t) => t.seq));
  });

  it('does not let others claim the batch of a member that is slow but alive', async () => {
    const { log, stream } = await open();
    const gate = deferred();
    redis.cleanups.push(gate.resolve);
    const slow = await member(log, 'slow', gate.promise);
    const ticks = aTickRun(5);
    await log.append(ticks.map((t) => ({ key: t.symbol, value: t })));
    await waitFor(() => slow.batches.length === 1, 'a batch in flight');
    const other = await member(log, 'other');
    // Several claim periods go by while the handler works; its heartbeat keeps the batch its own.
    await sleep(CLAIM_IDLE_MS * 4);
    expect(other.batches).toEqual([]);
    expect(await pendingByMember(stream)).toEqual({ slow: ticks.length });
    gate.resolve();
    await waitFor(() => slow.seqs.length === ticks.length, 'the slow batch to finish');
    await waitFor(async () => Object.keys(await pendingByMember(stream)).length === 0, 'the acknowledgement');
    expect(other.batches).toEqual([]);
  });

  it('acknowledges and counts entries its codec cannot read, and delivers the rest', async () => {
    const { log, stream } = await open();
    const [good] = aTickRun(1);
    // A bad producer writing straight to the stream.
    await redis.admin.sendCommand(['XADD', stream, '*', 'key', 'AAPL', 'value', 'not json']);
    await redis.admin.sendCommand(['XADD', stream, '*', 'key', 'AAPL', 'value', JSON.stringify({ symbol: 'AAPL', price: 'free' })]);
    await redis.admin.sendCommand(['XADD', stream, '*', 'something', 'else']);
    await log.append([{ key: good!.symbol, value: good! }]);
    const reader = await member(log, 'reader');
    await waitFor(() => reader.seqs.length === 1, 'the good record');
    expect(reader.batches.flat().map((r) => r.value)).toEqual([good]);
    expect(reader.batches.flat()[0]).toMatchObject({ key: 'AAPL', partition: 0 });
    expect(log.malformed).toBe(3);
    await waitFor(async () => Object.keys(await pendingByMember(stream)).length === 0, 'nothing left pending');
  });

  it('gets past pending entries that retention trimmed away before they were handled', async () => {
    const { log, stream } = await open();
    const gate = deferred();
    redis.cleanups.push(gate.resolve);
    let failures = 0;
    const reader = await member(log, 'reader', gate.promise, () => failures++ === 0);
    const first = aTickRun(3);
    await log.append(first.map((t) => ({ key: t.symbol, value: t })));
    await waitFor(() => reader.batches.length === 1, 'a batch in flight');
    // Trimmed while pending; then the handler fails, so the member re-reads its pending list.
    await redis.admin.sendCommand(['XTRIM', stream, 'MAXLEN', '0']);
    gate.resolve();
    const later = aTickRun(2, { firstSeq: 10 });
    await log.append(later.map((t) => ({ key: t.symbol, value: t })));
    await waitFor(() => reader.seqs.includes(11), 'records appended after the trim');
    expect(reader.seqs).toEqual([10, 11]);
    await waitFor(async () => Object.keys(await pendingByMember(stream)).length === 0, 'nothing left pending');
  });

  it('stop() leaves the group and hands its partition over at once; abort() stays holding its entries', async () => {
    const { log, stream } = await open();
    const stopping = await member(log, 'stopping');
    await waitFor(async () => (await consumersOf(stream)).includes('stopping'), 'the first member to read');
    const gate = deferred();
    redis.cleanups.push(gate.resolve);
    // One partition: the second member stands by until the first lets go.
    const aborting = await member(log, 'aborting', gate.promise);
    await stopping.consumer.stop();
    expect(await consumersOf(stream)).not.toContain('stopping');
    const ticks = aTickRun(2);
    await log.append(ticks.map((t) => ({ key: t.symbol, value: t })));
    await waitFor(() => aborting.batches.length === 1, 'the standby to take over and read');
    await aborting.consumer.abort();
    expect(await consumersOf(stream)).toEqual(['aborting']);
    expect(await pendingByMember(stream)).toEqual({ aborting: ticks.length });
  });

  it('leases each partition to one member, and moves an aborted member\'s partitions to the others', async () => {
    const { log, prefix } = await open({ partitions: 4 });
    const symbols = ['AAPL', 'MSFT', 'GOOG', 'TSLA', 'NVDA', 'AMZN', 'META', 'NFLX'];
    const owners = async (): Promise<(string | null)[]> => Promise.all([0, 1, 2, 3].map((p) => redis.admin.get(`${prefix}ticks:group:g:owner:${p}`)));
    const a = await join(log, 'a', 5);
    const b = await join(log, 'b', 5);
    await waitFor(async () => {
      const held = await owners();
      return held.filter((o) => o === 'a').length === 2 && held.filter((o) => o === 'b').length === 2;
    }, 'two partitions each');

    const sent: Tick[] = [];
    const round = async (from: number) => {
      const ticks = symbols.flatMap((symbol) => aTickRun(5, { symbol, firstSeq: from }));
      sent.push(...ticks);
      await log.append(ticks.map((t) => ({ key: t.symbol, value: t })));
    };
    await round(1);
    await waitFor(() => a.seqs.length + b.seqs.length === sent.length, 'the first round');
    await a.consumer.abort();
    await round(6);
    await waitFor(async () => (await owners()).every((o) => o === 'b'), 'b to own every partition');
    await waitFor(() => a.seqs.length + b.seqs.length >= sent.length, 'the second round');

    // Each symbol went to one member while both ran, and every member saw its symbols in order.
    const bySymbol = (seen: Seen, symbol: string) => seen.batches.flat().filter((r) => r.value.symbol === symbol).map((r) => r.value.seq);
    for (const symbol of symbols) {
      const fromA = bySymbol(a, symbol);
      const fromB = bySymbol(b, symbol);
      expect([...fromA, ...fromB], symbol).toEqual([...fromA, ...fromB].sort((x, y) => x - y));
      expect(new Set([...fromA, ...fromB]).size, symbol).toBe(10);
    }
    for (const batch of [...a.batches, ...b.batches]) expect(batch.length).toBeLessThanOrEqual(5);
  });

  it('keeps every key in order, with nothing lost, while members crash and join under load', async () => {
    const { log } = await open({ partitions: 8, claimIdleMs: 300 });
    const symbols = Array.from({ length: 20 }, (_, i) => `S${i}`);
    // The processor's view: a tick applies if it is the next seq, is a harmless duplicate if not
    // newer, and reveals a reordering if it skips ahead (the earlier one would then be stale).
    const last = new Map<string, number>();
    const skips: string[] = [];
    const apply = async (records: readonly LogRecord<Tick>[]) => {
      for (const { value: t } of records) {
        const before = last.get(t.symbol) ?? 0;
        if (t.seq > before + 1) skips.push(`${t.symbol}: ${before} → ${t.seq}`);
        if (t.seq > before) last.set(t.symbol, t.seq);
      }
    };
    let joined = 0;
    const live: Consumer[] = [];
    const spawn = async () => {
      const consumer = await log.consume({ group: 'g', member: `m${joined++}`, from: 'earliest', maxBatch: 50 }, apply);
      redis.cleanups.push(() => consumer.abort());
      live.push(consumer);
    };
    for (let i = 0; i < 3; i++) await spawn();

    const rounds = 30;
    for (let round = 0; round < rounds; round++) {
      const ticks = symbols.flatMap((symbol) => aTickRun(5, { symbol, firstSeq: round * 5 + 1 }));
      await log.append(ticks.map((t) => ({ key: t.symbol, value: t })));
      if (round % 6 === 5) {
        // A crash of the oldest member, and a new one joining.
        await live.shift()!.abort();
        await spawn();
      } else {
        await sleep(15);
      }
    }
    await waitFor(() => symbols.every((s) => last.get(s) === rounds * 5), 'every record applied', 20_000);
    expect(skips).toEqual([]);
  });

  it('trims to about `retention` records, never fewer', async () => {
    const { log, stream } = await open({ retention: 200 });
    for (let round = 0; round < 10; round++) {
      const ticks = aTickRun(250, { firstSeq: round * 250 + 1 });
      await log.append(ticks.map((t) => ({ key: t.symbol, value: t })));
    }
    const entries = (await redis.admin.sendCommand(['XRANGE', stream, '-', '+'])) as [string, string[]][];
    const records = entries.reduce((n, [, fields]) => n + (entryRecords(fields)?.count ?? 0), 0);
    expect(records).toBeGreaterThanOrEqual(200);
    expect(records).toBeLessThan(2_500);
  });
});
