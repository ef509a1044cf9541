import { describe, expect, it } from 'vitest';
import { BackgroundDatabase } from '../../src/adapters/postgres/background.js';
import { IN_MEMORY, pgliteEngine } from '../../src/adapters/postgres/engines.js';
import { SqlDatabase, type Engine } from '../../src/adapters/postgres/sql-database.js';
import { TickstreamError } from '../../src/domain/errors.js';
import { waitFor } from '../support/wait.js';

/** In-memory PGlite whose `lost` the test resolves, as the worker thread dying would. */
function losable() {
  const real = pgliteEngine(IN_MEMORY);
  const state = { opens: 0, lose: (_: Error) => {} };
  const engine: Engine = {
    kind: 'pglite',
    async open() {
      const opened = await real.open();
      state.opens++;
      return { ...opened, lost: new Promise<Error>((resolve) => (state.lose = resolve)) };
    },
  };
  return { engine, state };
}

// Opening PGlite (WebAssembly compile, initdb) is seconds of CPU, tens of seconds on a busy machine.
describe('BackgroundDatabase', { timeout: 120_000 }, () => {
  it('reports not ready when its engine is lost, and opens a new one', async () => {
    const { engine, state } = losable();
    const losses: string[] = [];
    const db = new BackgroundDatabase(new SqlDatabase(engine), {
      waitMs: 60_000,
      disposable: false,
      onReady: () => undefined,
      onRetry: () => undefined,
      onLost: (error) => losses.push(error.message),
    });
    try {
      await db.start();
      await db.opened;
      await db.ping();
      expect(await db.accounts.create('before', 'hash')).toMatchObject({ username: 'before' });

      state.lose(new TickstreamError('NOT_READY', 'The embedded database stopped (simulated).'));
      await waitFor(() => losses.length === 1, 'the loss reported');
      await expect(db.ping()).rejects.toThrow('database is starting: The embedded database stopped (simulated).');
      // A call meanwhile waits for the new engine rather than failing.
      const created = db.accounts.create('after', 'hash');
      expect(await created).toMatchObject({ username: 'after' });
      await db.ping();
      expect(state.opens).toBe(2);
      expect(losses).toEqual(['The embedded database stopped (simulated).']);
    } finally {
      await db.close();
    }
  });

  it('at shutdown, fails the calls waiting for an open at once, and later ones', async () => {
    // An engine that never finishes opening, as PGlite still booting under load.
    const stuck: Engine = { kind: 'pglite', open: () => new Promise(() => undefined) };
    const db = new BackgroundDatabase(new SqlDatabase(stuck), { waitMs: 60_000, disposable: true, onReady: () => undefined, onRetry: () => undefined, onLost: () => undefined });
    await db.start();
    const waiting = db.accounts.findById(1);
    db.stopWaiting();
    await expect(waiting).rejects.toMatchObject({ code: 'NOT_READY' });
    await expect(db.accounts.findById(1)).rejects.toMatchObject({ code: 'NOT_READY' });
    await db.close();
  });
});
