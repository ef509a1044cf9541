import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { describe, expect, it } from 'vitest';
import { pgliteEngine } from '../../src/adapters/postgres/engines.js';
import { MIGRATIONS } from '../../src/adapters/postgres/migrations.js';
import { PGliteDialect } from '../../src/adapters/postgres/pglite-dialect.js';
import { SqlDatabase, type Engine } from '../../src/adapters/postgres/sql-database.js';
import { databaseContract } from './database.contract.js';

/** Several Database objects over one PGlite instance: how two processes would share one engine. */
function shared(pglite: PGlite): Engine {
  return { kind: 'pglite', open: async () => ({ dialect: new PGliteDialect(pglite), close: async () => {} }) };
}

databaseContract('PGlite', async () => {
  const pglite = new PGlite();
  await pglite.waitReady;
  const db = new SqlDatabase(shared(pglite));
  await db.start();
  return {
    db,
    another: () => new SqlDatabase(shared(pglite)),
    async fresh(count) {
      const empty = new PGlite();
      await empty.waitReady;
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
});

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
