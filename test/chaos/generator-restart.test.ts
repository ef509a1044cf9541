import { afterAll, expect, it } from 'vitest';
import { entryRecords } from '../../src/adapters/redis/packed-entries.js';
import { recordFigures, scaled } from '../support/chaos.js';
import { adminClient, deletePrefix, redisUrl, uniquePrefix } from '../support/redis.js';
import { startServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';

/**
 * Issue #10 item 2: a restarted generator once resumed `seq` from the price store, which lags the
 * log, and gave seqs already in the log to new prices. Here no processor runs at all (the store
 * stays empty, the worst lag there is), the generator is stopped (SIGTERM and SIGKILL in turn) and
 * restarted, and the log itself is read back: every symbol's seqs must run 1, 2, 3… once each.
 */
const prefix = uniquePrefix('chaos-generator');
const RESTARTS = scaled(3, 10);
const env = { REDIS_URL: redisUrl, REDIS_PREFIX: prefix, EVENT_LOG: 'redis', ROLES: 'generator', SYMBOLS: 'AAA,BBB,CCC,DDD,EEE', TICK_RATE: '400' };

afterAll(async () => {
  await deletePrefix(prefix);
});

async function logRecords(): Promise<{ symbol: string; seq: number; price: number }[]> {
  const client = await adminClient();
  try {
    const records: { symbol: string; seq: number; price: number }[] = [];
    for (let p = 0; p < 8; p++) {
      const entries = (await client.sendCommand(['XRANGE', `${prefix}ticks:${p}`, '-', '+'])) as [string, unknown[]][];
      for (const [, fields] of entries) {
        const entry = entryRecords(fields)!;
        for (let i = 0; i < entry.count; i++) records.push(JSON.parse(String(entry.fields[entry.first + 2 * i + 1])) as { symbol: string; seq: number; price: number });
      }
    }
    return records;
  } finally {
    await client.close();
  }
}

it(`a generator stopped and restarted ${RESTARTS} times continues every seq from the log`, async () => {
  for (let run = 0; run <= RESTARTS; run++) {
    const before = (await logRecords()).length;
    const generator = await startServer(env);
    try {
      await waitFor(async () => (await logRecords()).length >= before + 200, 'new ticks in the log', 20_000, 100);
    } finally {
      await generator.stop(run % 2 === 0 ? 'SIGTERM' : 'SIGKILL');
    }
  }
  const records = await logRecords();
  const bySymbol = new Map<string, Map<number, number[]>>();
  for (const r of records) {
    const seqs = bySymbol.get(r.symbol) ?? new Map<number, number[]>();
    seqs.set(r.seq, [...(seqs.get(r.seq) ?? []), r.price]);
    bySymbol.set(r.symbol, seqs);
  }
  let reused = 0;
  let holes = 0;
  for (const seqs of bySymbol.values()) {
    for (const prices of seqs.values()) if (prices.length > 1) reused++;
    const max = Math.max(...seqs.keys());
    holes += max - seqs.size;
  }
  recordFigures('generator restart (Redis Streams)', { restarts: RESTARTS, records: records.length, seqsWrittenTwice: reused, holes });
  expect(records.length).toBeGreaterThan(200 * RESTARTS);
  expect(reused).toBe(0);
  expect(holes).toBe(0);
}, 240_000);
