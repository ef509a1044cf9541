import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pgliteEngine } from '../../src/adapters/postgres/engines.js';
import { MIGRATIONS } from '../../src/adapters/postgres/migrations.js';
import { PGliteDialect } from '../../src/adapters/postgres/pglite-dialect.js';
import { PGliteThread } from '../../src/adapters/postgres/pglite-thread.js';
import { SqlDatabase, type Engine } from '../../src/adapters/postgres/sql-database.js';
import { ledgerContract } from './database-ledger.contract.js';
import { databaseContract, type DatabaseFactory } from './database.contract.js';

/**
 * Several Database objects over one PGlite, in its worker thread as the CLI runs it: how two
 * processes would share one engine.
 */
function shared(pglite: PGliteThread): Engine {
  return { kind: 'pglite', open: async () => ({ dialect: new PGliteDialect(pglite), close: async () => {} }) };
}

async function openThread(): Promise<PGliteThread> {
  const thread = new PGliteThread(undefined);
  await thread.ready();
  return thread;
}

const factory: DatabaseFactory = async () => {
  const pglite = await openThread();
  const db = new SqlDatabase(shared(pglite));
  await db.start();
  return {
    db,
    concurrent: false,
    another: () => new SqlDatabase(shared(pglite)),
    async fresh(count) {
      const empty = await openThread();
      const dbs = Array.from({ length: count }, () => new SqlDatabase(shared(empty)));
      return {
        dbs,
        async cleanup() {
          for (const d of dbs) await d.close();
          await empty.close();
        },
      };
    },
    async cleanup() {
      await db.close();
      await pglite.close();
    },
  };
};

databaseContract('PGlite', factory);
ledgerContract('PGlite', factory);

describe('PGlite on disk (DATA_DIR)', () => {
  it('keeps its data across a restart and refuses a second process meanwhile', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tickstream-pglite-'));
    try {
      const first = new SqlDatabase(pgliteEngine(dir));
      await first.start();
      expect(first.appliedAtStart).toEqual(MIGRATIONS.map((m) => m.version));
      const user = await first.accounts.create('persisted', 'hash');

      const intruder = new SqlDatabase(pgliteEngine(dir));
      await expect(intruder.start()).rejects.toThrow('the embedded database is in use');
      await first.close();

      const second = new SqlDatabase(pgliteEngine(dir));
      await second.start();
      expect(second.appliedAtStart).toEqual([]);
      expect(await second.accounts.findByUsername('persisted')).toEqual(user);
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
