import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deletePrefix, redisUrl, uniquePrefix } from '../support/redis.js';
import { metric, startServer, type RunningServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { TestClient } from '../support/ws-client.js';

const dir = mkdtempSync(join(tmpdir(), 'tickstream-ingest-file-'));
const servers: RunningServer[] = [];
const clients: TestClient[] = [];
afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(servers.map((s) => s.stop()));
  rmSync(dir, { recursive: true, force: true });
});

async function start(env: Record<string, string>): Promise<RunningServer> {
  const server = await startServer(env);
  servers.push(server);
  return server;
}

async function snapshot(server: RunningServer, symbol: string): Promise<{ seq: number; price: number }> {
  const client = await TestClient.connect(`${server.ws}?symbols=${symbol}`);
  clients.push(client);
  const [tick] = await client.waitForTicks(1, symbol);
  client.close();
  return tick!;
}

// ACME and GLOBX are not among the default symbols: they join the universe when the file brings them.
const NDJSON = [
  '{"symbol":"ACME","price":10.5,"ts":1767623400000,"size":100}',
  '{"symbol":"GLOBX","price":20,"ts":1767623400001,"size":5}',
  'this is not json',
  '{"symbol":"ACME","price":11,"ts":1767623400002,"size":1}',
  '{"symbol":"ACME","price":0,"ts":1767623400003}',
  '{"symbol":"ACME","price":12.25,"ts":1767623400004,"size":7}',
].join('\n');

// Each test starts its own servers: on a shared, loaded machine that alone can take tens of seconds.
describe('INGEST_SOURCE=file', { timeout: 120_000 }, () => {
  it('replays a file into the running process: new symbols join, REST and /ws serve them, bad lines are counted by reason', async () => {
    const path = join(dir, 'session.ndjson');
    writeFileSync(path, NDJSON);
    const server = await start({ INGEST_SOURCE: 'file', INGEST_FILE: path, INGEST_SPEED: 'max' });
    await waitFor(async () => (await metric(server, 'tickstream_ingest_ticks_total', { source: 'file' })) === 4, '4 ticks ingested', 30_000);
    const prices = await waitFor(async () => {
      const body = (await (await fetch(`${server.http}/prices`)).json()) as { data: Record<string, number> };
      return body.data.ACME === 12.25 && body.data.GLOBX === 20 ? body.data : undefined;
    }, 'the file’s last prices on REST');
    // No simulator under ROLES=all while a source is on: only the file's symbols have prices.
    expect(Object.keys(prices).sort()).toEqual(['ACME', 'GLOBX']);
    const symbols = (await (await fetch(`${server.http}/api/v1/symbols`)).json()) as { symbols: string[] };
    expect(symbols.symbols).toEqual(expect.arrayContaining(['ACME', 'GLOBX', 'AAPL']));
    expect(await snapshot(server, 'ACME')).toMatchObject({ price: 12.25, seq: 3 });
    expect(await metric(server, 'tickstream_ingest_rejected_total', { source: 'file', reason: 'MALFORMED' })).toBe(1);
    expect(await metric(server, 'tickstream_ingest_rejected_total', { source: 'file', reason: 'INVALID_PRICE' })).toBe(1);
    expect(await metric(server, 'tickstream_ticks_generated_total')).toBe(0);
    expect(server.logs.some((l) => l.msg.includes('line 3: not valid JSON'))).toBe(true);
    const ready = (await (await fetch(`${server.http}/ready`)).json()) as { checks: Record<string, string> };
    expect(ready.checks['source file']).toBe('ok'); // finished is not down
  });

  it('with SYMBOLS set, only those are accepted; the rest are rejected as UNKNOWN_SYMBOL', async () => {
    const path = join(dir, 'closed.csv');
    writeFileSync(path, 'symbol,price,timestamp\nAAPL,190,2026-01-05T14:30:00Z\nACME,10,2026-01-05T14:30:01Z\nAAPL,191,2026-01-05T14:30:02Z\n');
    const server = await start({ INGEST_SOURCE: 'file', INGEST_FILE: path, INGEST_SPEED: 'max', SYMBOLS: 'AAPL,MSFT' });
    await waitFor(async () => (await metric(server, 'tickstream_ingest_rejected_total', { reason: 'UNKNOWN_SYMBOL' })) === 1, 'ACME refused');
    await waitFor(async () => (await (await fetch(`${server.http}/price/AAPL`)).json() as { data?: { price: number } }).data?.price === 191, 'AAPL at 191');
    expect((await fetch(`${server.http}/price/ACME`)).status).toBe(404);
  });

  it('a file that cannot be read keeps the process up and shows the source down on /ready', async () => {
    const server = await start({ INGEST_SOURCE: 'file', INGEST_FILE: join(dir, 'missing.csv') });
    const ready = await fetch(`${server.http}/ready`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { checks: Record<string, string> };
    expect(body.checks['source file']).toMatch(/^down: cannot read .*missing\.csv: no such file$/);
    expect((await fetch(`${server.http}/health`)).status).toBe(200);
  });

  it('numbering survives a restart: on Redis, a second process continues each symbol’s seq', async () => {
    const prefix = uniquePrefix('ingest-file');
    const path = join(dir, 'twice.csv');
    writeFileSync(path, 'symbol,price,ts\n' + Array.from({ length: 50 }, (_, i) => `ACME,${100 + i},${1767623400000 + i}`).join('\n') + '\n');
    // No api role: no embedded database to open (seconds of CPU on a loaded machine); /ws shows the seqs.
    const env = { ROLES: 'ingestor,processor,gateway', INGEST_SOURCE: 'file', INGEST_FILE: path, INGEST_SPEED: 'max', REDIS_URL: redisUrl, REDIS_PREFIX: prefix, EVENT_LOG: 'redis', EVENT_LOG_PARTITIONS: '2' };
    try {
      const first = await start(env);
      await waitFor(async () => (await snapshot(first, 'ACME').catch(() => ({ seq: 0 }))).seq === 50, 'seq 50 after the first run', 40_000);
      await first.stop();
      const second = await start(env);
      await waitFor(async () => (await snapshot(second, 'ACME').catch(() => ({ seq: 0 }))).seq === 100, 'seq 100 after the second run', 40_000);
      expect(await metric(second, 'tickstream_ticks_rejected_total')).toBe(0); // nothing numbered twice
    } finally {
      await Promise.all(servers.splice(0).map((s) => s.stop()));
      await deletePrefix(prefix);
    }
  }, 240_000);
});
