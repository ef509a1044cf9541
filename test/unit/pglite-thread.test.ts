import { afterEach, describe, expect, it } from 'vitest';
import { PGliteThread } from '../../src/adapters/postgres/pglite-thread.js';
import { TickstreamError } from '../../src/domain/errors.js';

const CRASHING = new URL('../support/crashing-pglite-worker.mjs', import.meta.url);
/** Opening PGlite (WebAssembly compile, initdb) is seconds of CPU, tens of seconds on a busy machine. */
const OPENS_PGLITE = { timeout: 120_000 };

describe('PGlite in a worker thread', OPENS_PGLITE, () => {
  const threads: PGliteThread[] = [];
  afterEach(async () => {
    for (const thread of threads.splice(0)) await thread.close();
  });
  const start = (dataDir: string | undefined, url?: URL) => {
    const thread = new PGliteThread(dataDir, url);
    threads.push(thread);
    return thread;
  };

  it('answers queries with rows and PostgreSQL errors with their code and fields, and ends the thread on close', async () => {
    const thread = start(undefined);
    await thread.ready();
    expect((await thread.query('SELECT $1::int + 1 AS n, now() AS at', [41])).rows).toEqual([{ n: 42, at: expect.any(Date) }]);
    await thread.query('CREATE TABLE t (name text CONSTRAINT t_name UNIQUE)', []);
    const insert = await thread.query('INSERT INTO t VALUES ($1)', ['a']);
    expect(insert).toMatchObject({ command: 'INSERT', rowCount: 1 });
    const error = await thread.query('INSERT INTO t VALUES ($1)', ['a']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: '23505', constraint: 't_name', table: 't', severity: 'ERROR' });

    await thread.close();
    expect(thread.running).toBe(false);
    await thread.exited;
    const after = await thread.query('SELECT 1', []).catch((e: unknown) => e);
    expect(after).toBeInstanceOf(TickstreamError);
    expect(after).toMatchObject({ code: 'NOT_READY', message: 'The embedded database is closed.' });
  });

  it('fails the queries in flight and later ones with NOT_READY when the thread dies, and reports it lost', async () => {
    const thread = start(undefined, CRASHING);
    await thread.ready();
    expect((await thread.query('SELECT 1', [])).rows).toEqual([{ '?column?': 1 }]);
    const crashing = thread.query('crash', []);
    // Sent behind the crash, so the thread dies before answering it.
    const inFlight = thread.query('SELECT 1', []);
    await expect(crashing).rejects.toThrow(/The embedded database stopped \(simulated crash\)/);
    await expect(inFlight).rejects.toMatchObject({ code: 'NOT_READY' });
    expect(await thread.lost).toMatchObject({ code: 'NOT_READY', message: expect.stringContaining('simulated crash') });
    await thread.exited;
    expect(thread.running).toBe(false);
    await expect(thread.query('SELECT 1', [])).rejects.toMatchObject({ code: 'NOT_READY' });
    await thread.close(); // nothing left to close: returns
  });

  it('closes cleanly with queries in flight: they are answered first', async () => {
    const thread = start(undefined);
    await thread.ready();
    const answers = Promise.all([1, 2, 3].map((n) => thread.query('SELECT $1::int AS n', [n])));
    await thread.close();
    expect((await answers).map((r) => r.rows)).toEqual([[{ n: 1 }], [{ n: 2 }], [{ n: 3 }]]);
    expect(thread.running).toBe(false);
  });
});
