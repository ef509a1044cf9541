import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metric, startServer, type RunningServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { TestClient } from '../support/ws-client.js';

const SECRET = 'desk-secret-0123456789';
let server: RunningServer;
let plain: RunningServer;

beforeAll(async () => {
  [server, plain] = await Promise.all([
    startServer({ INGEST_API_KEYS: `desk:${SECRET},other:another-secret-0123456789`, INGEST_MAX_BATCH: '50', INGEST_MAX_SYMBOLS: '30' }),
    startServer({ TICK_RATE: '1' }),
  ]);
});
afterAll(async () => {
  await Promise.all([server?.stop(), plain?.stop()]);
});

interface Answer {
  status: number;
  body: { accepted: number; duplicate: number; rejected: { index: number; code: string; message: string }[]; error?: { code: string; message: string } };
}

async function post(body: unknown, options: { key?: string | null; type?: string; on?: RunningServer } = {}): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': options.type ?? 'application/json' };
  const key = options.key === undefined ? SECRET : options.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  const response = await fetch(`${(options.on ?? server).http}/api/v1/ticks`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

describe('POST /api/v1/ticks', { timeout: 60_000 }, () => {
  it('refuses a request without a key, with a wrong key, and on a server without ingest keys', async () => {
    const tick = [{ symbol: 'ACME', price: 1 }];
    expect(await post(tick, { key: null })).toMatchObject({ status: 401, body: { error: { code: 'INGEST_KEY_REQUIRED' } } });
    expect(await post(tick, { key: 'desk-secret-0123456788' })).toMatchObject({ status: 401, body: { error: { code: 'INVALID_INGEST_KEY' } } });
    expect(await post(tick, { key: 'desk' })).toMatchObject({ status: 401, body: { error: { code: 'INVALID_INGEST_KEY' } } });
    expect(await post(tick, { on: plain })).toMatchObject({ status: 501, body: { error: { code: 'INGEST_NOT_ENABLED' } } });
  });

  it('judges each tick on its own and answers every rejection with its index and stable code', async () => {
    const now = Date.now();
    const answer = await post([
      { symbol: 'VALA', price: 10.5, size: 3, ts: now },
      { symbol: 'vala', price: 1 },
      { symbol: 'VALA', price: 0 },
      { symbol: 'VALA', price: 'NaN' },
      { symbol: 'VALA', price: 1, size: -1 },
      { symbol: 'VALA', price: 1, ts: now - 3_600_000 },
      { symbol: 'VALA', price: 1, ts: 1.5 },
      { symbol: 'VALA', price: 1, seq: 0 },
      { symbol: 'VALA', price: 1, source: 'other' },
      { symbol: 'VALA', price: 1, colour: 'red' },
      'AAPL',
      { symbol: 'VALA', price: 11, ts: now + 1 },
    ]);
    expect(answer.status).toBe(200);
    expect(answer.body.accepted).toBe(2);
    expect(answer.body.duplicate).toBe(0);
    expect(answer.body.rejected.map((r) => [r.index, r.code])).toEqual([
      [1, 'INVALID_SYMBOL'],
      [2, 'INVALID_PRICE'],
      [3, 'INVALID_PRICE'],
      [4, 'INVALID_SIZE'],
      [5, 'INVALID_TIMESTAMP'],
      [6, 'INVALID_TIMESTAMP'],
      [7, 'INVALID_SEQ'],
      [8, 'INVALID_SOURCE'],
      [9, 'MALFORMED'],
      [10, 'MALFORMED'],
    ]);
    for (const r of answer.body.rejected) expect(r.message.length).toBeGreaterThan(10);
    // The accepted ones are ticks like any other: on REST, and on /ws with their seq.
    await waitFor(async () => ((await (await fetch(`${server.http}/price/VALA`)).json()) as { data?: { price: number } }).data?.price === 11, 'VALA at 11 on REST');
    const client = await TestClient.connect(`${server.ws}?symbols=VALA`);
    try {
      expect((await client.waitForTicks(1, 'VALA'))[0]).toMatchObject({ price: 11, seq: 2, size: 0 });
    } finally {
      client.close();
    }
    expect(await metric(server, 'tickstream_ingest_rejected_total', { source: 'desk', reason: 'INVALID_PRICE' })).toBe(2);
  });

  it('is idempotent on (source, symbol, seq): a re-sent seq is a duplicate, another source’s same seq is not', async () => {
    const batch = [1, 2, 3].map((seq) => ({ symbol: 'IDEM', price: 100 + seq, seq }));
    expect((await post(batch)).body).toEqual({ accepted: 3, duplicate: 0, rejected: [] });
    expect((await post(batch)).body).toEqual({ accepted: 0, duplicate: 3, rejected: [] });
    expect((await post([2, 3, 4].map((seq) => ({ symbol: 'IDEM', price: 200 + seq, seq })))).body).toEqual({ accepted: 1, duplicate: 2, rejected: [] });
    expect((await post(batch.map((t) => ({ ...t, source: 'desk:b' })))).body).toEqual({ accepted: 3, duplicate: 0, rejected: [] });
    expect((await post(batch, { key: 'another-secret-0123456789' })).body).toEqual({ accepted: 3, duplicate: 0, rejected: [] });
    await waitFor(async () => ((await (await fetch(`${server.http}/price/IDEM`)).json()) as { data?: { price: number } }).data?.price === 103, 'IDEM at 103');
    expect(await metric(server, 'tickstream_ingest_duplicates_total', { source: 'desk' })).toBe(5);
    // Seven ticks were accepted for IDEM in all: numbered 1..7 with no gap, so nothing reached the store twice.
    expect(await metric(server, 'tickstream_ticks_rejected_total')).toBe(0);
  });

  it('takes NDJSON, a malformed line refused by its line', async () => {
    const body = `{"symbol":"NDJ","price":5}\n{"symbol":"NDJ","price":\n{"symbol":"NDJ","price":6}\n`;
    const answer = await post(body, { type: 'application/x-ndjson' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ accepted: 2, duplicate: 0, rejected: [{ index: 1, code: 'MALFORMED', message: 'The line is not valid JSON.' }] });
  });

  it('limits batches and bodies: more than INGEST_MAX_BATCH ticks is 413 BATCH_TOO_LARGE; a body that is not a batch is 400', async () => {
    const many = Array.from({ length: 51 }, (_, i) => ({ symbol: 'BIG', price: 1 + i }));
    expect(await post(many)).toMatchObject({ status: 413, body: { error: { code: 'BATCH_TOO_LARGE' } } });
    expect(await post(many.slice(0, 50))).toMatchObject({ status: 200, body: { accepted: 50 } });
    expect(await post({ symbol: 'BIG', price: 1 })).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });
    expect(await post('[{"symbol":')).toMatchObject({ status: 400 });
    expect(await post('x'.repeat(2_000_000))).toMatchObject({ status: 413 });
  });

  it('a client following every symbol (the default) gets symbols that join later; a narrowed one does not', async () => {
    const everything = await TestClient.connect(server.ws);
    const narrowed = await TestClient.connect(`${server.ws}?symbols=IDEM`);
    try {
      await everything.waitForTicks(1, 'IDEM'); // snapshots of the symbols it follows: it is connected
      expect((await post([{ symbol: 'WILD', price: 7 }, { symbol: 'WILD', price: 8 }])).body.accepted).toBe(2);
      // Joined like any subscribe: the snapshot (the newest tick by then), then every later tick live.
      await waitFor(() => everything.ticks('WILD').some((t) => t.price === 8), 'WILD at 8');
      expect((await post([{ symbol: 'WILD', price: 9 }])).body.accepted).toBe(1);
      await waitFor(() => everything.ticks('WILD').some((t) => t.price === 9 && t.seq === 3), 'WILD at 9 live');
      expect(narrowed.ticks('WILD')).toEqual([]);
    } finally {
      everything.close();
      narrowed.close();
    }
  });

  it('new symbols join up to INGEST_MAX_SYMBOLS, then SYMBOL_LIMIT', async () => {
    const universe = ((await (await fetch(`${server.http}/api/v1/symbols`)).json()) as { symbols: string[] }).symbols.length;
    const fresh = Array.from({ length: 40 - universe }, (_, i) => ({ symbol: `NEW${i}`, price: 1 }));
    const answer = await post(fresh);
    expect(answer.body.accepted).toBe(30 - universe);
    expect(new Set(answer.body.rejected.map((r) => r.code))).toEqual(new Set(['SYMBOL_LIMIT']));
  });

  it('is described in OpenAPI', async () => {
    const spec = (await (await fetch(`${server.http}/docs/json`)).json()) as { paths: Record<string, { post?: { security?: unknown; requestBody?: unknown } }> };
    expect(spec.paths['/api/v1/ticks']?.post?.security).toEqual([{ ingestKey: [] }]);
    expect(JSON.stringify(spec.paths['/api/v1/ticks']?.post?.requestBody)).toContain('"seq"');
  });
});
