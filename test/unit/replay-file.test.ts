import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { countRecords, readReplayFile, ReplayFileError, type FileEntry } from '../../src/adapters/ingest/replay-file.js';
import { replay } from '../../src/adapters/ingest/replay.js';

const dir = mkdtempSync(join(tmpdir(), 'tickstream-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function entries(path: string): Promise<FileEntry[]> {
  const out: FileEntry[] = [];
  for await (const e of readReplayFile(path)) out.push(e);
  return out;
}

describe('replay files', () => {
  it('reads CSV through its header, in any column order, with ISO or epoch times; bad lines come out with their line number', async () => {
    const path = file('a.csv', 'Price,Symbol,Timestamp,Volume\n190.5,aapl,2026-01-05T14:30:00.000Z,100\n\n"410.25",MSFT,1767623400500,\nabc,AAPL,1767623400600,1\nIBM,1,2\n12,IBM,yesterday,5\n');
    const got = await entries(path);
    expect(got).toEqual([
      { line: 2, trade: { symbol: 'AAPL', price: 190.5, size: 100, ts: Date.parse('2026-01-05T14:30:00.000Z') } },
      { line: 4, trade: { symbol: 'MSFT', price: 410.25, size: 0, ts: 1767623400500 } },
      { line: 5, problem: 'price "abc" is not a number' },
      { line: 6, problem: 'price "IBM" is not a number' },
      { line: 7, problem: 'timestamp "yesterday" is neither epoch milliseconds nor an ISO 8601 date' },
    ]);
    expect(await countRecords(path)).toBe(5);
  });

  it('reads NDJSON with short or long field names; a line that is not an object is a problem', async () => {
    const path = file('a.ndjson', '{"s":"AAPL","p":1.5,"t":1767623400000,"v":3}\n{"symbol":"MSFT","price":2,"timestamp":"2026-01-05T14:30:01Z"}\nnot json\n[1,2]\n{"symbol":"AAPL","price":-1,"ts":1}\n');
    const got = await entries(path);
    expect(got.slice(0, 2)).toEqual([
      { line: 1, trade: { symbol: 'AAPL', price: 1.5, size: 3, ts: 1767623400000 } },
      { line: 2, trade: { symbol: 'MSFT', price: 2, size: 0, ts: Date.parse('2026-01-05T14:30:01Z') } },
    ]);
    expect(got.slice(2)).toEqual([
      { line: 3, problem: 'not valid JSON' },
      { line: 4, problem: 'not a JSON object' },
      // Readable, so it is a trade: the price is refused on intake, with the same reasons as every source.
      { line: 5, trade: { symbol: 'AAPL', price: -1, size: 0, ts: 1 } },
    ]);
  });

  it('a missing file, a directory, or a CSV header without the needed columns cannot be replayed at all', async () => {
    await expect(entries(join(dir, 'nope.csv'))).rejects.toThrow(new ReplayFileError(`cannot read ${join(dir, 'nope.csv')}: no such file`));
    await expect(entries(dir)).rejects.toThrow(/is a directory/);
    await expect(entries(file('b.csv', 'symbol,size\nAAPL,1\n'))).rejects.toThrow(/line 1: the header names no column for price .*ts/);
  });

  it('paces by the file’s own times divided by speed, stamping each trade with the time it is due', async () => {
    const path = file('c.csv', 'ts,symbol,price\n1000,AAPL,1\n1000,AAPL,2\n3000,MSFT,3\n5000,AAPL,4\n');
    // A frozen clock: the replay really sleeps (2 s here), and the stamps are exact.
    const clock = 0;
    const batches: { ts: number; price: number }[][] = [];
    const result = await replay(path, { speed: 2, loop: false, strict: false, now: () => clock }, {
      trades: async (trades) => {
        batches.push(trades.map((t) => ({ ts: t.ts, price: t.price })));
      },
      problem: () => {},
    });
    expect(result).toMatchObject({ trades: 4, problems: 0, aborted: false });
    expect(batches.flat().map((t) => t.price)).toEqual([1, 2, 3, 4]);
    expect(batches.flat().map((t) => t.ts)).toEqual([0, 0, 1000, 2000]);
    expect(batches[0]).toHaveLength(2); // due together: one batch
  });

  it('strict mode stops at the first bad line and says which', async () => {
    const path = file('d.csv', 'ts,symbol,price\n1,AAPL,1\n2,AAPL,x\n3,AAPL,3\n');
    const problems: number[] = [];
    const result = await replay(path, { speed: 'max', loop: false, strict: true }, { trades: async () => {}, problem: (line) => problems.push(line) });
    expect(result).toEqual({ trades: 1, problems: 1, stoppedAt: { line: 3, message: 'price "x" is not a number' }, aborted: false });
    expect(problems).toEqual([3]);
  });

  it('--loop starts over at the end of the file, each pass paced from its own start, until aborted', async () => {
    const path = file('e.csv', 'ts,symbol,price\n0,AAPL,1\n500,MSFT,2\n1000,AAPL,3\n');
    let clock = 0;
    const abort = new AbortController();
    const sent: { ts: number; price: number }[] = [];
    const result = await replay(path, { speed: 'max', loop: true, strict: false, signal: abort.signal, now: () => clock++ }, {
      trades: async (trades) => {
        sent.push(...trades.map((t) => ({ ts: t.ts, price: t.price })));
        if (sent.length >= 10) abort.abort();
      },
      problem: () => {},
    });
    expect(result.aborted).toBe(true);
    // Whole passes in file order, then the one cut short.
    expect(sent.map((t) => t.price).slice(0, 9)).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3]);
    expect(sent.length).toBeGreaterThanOrEqual(10);
    // Stamps move on from pass to pass: a loop never goes back in time.
    expect(sent.every((t, i) => i === 0 || t.ts >= sent[i - 1]!.ts)).toBe(true);
  });

  it('--loop over a file with no readable trade ends instead of spinning', async () => {
    const path = file('f.csv', 'ts,symbol,price\n1,AAPL,x\n');
    const problems: number[] = [];
    const result = await replay(path, { speed: 'max', loop: true, strict: false }, { trades: async () => {}, problem: (line) => problems.push(line) });
    expect(result).toEqual({ trades: 0, problems: 1, aborted: false });
    expect(problems).toEqual([2]);
  });
});
