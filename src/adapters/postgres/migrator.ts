import { sql, type Kysely } from 'kysely';
import type { Migration } from './migrations.js';
import type { Tables } from './tables.js';

/** Any fixed number: every tickstream process migrating this database takes the same lock. */
const MIGRATION_LOCK = 7_240_311;

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/**
 * Applies the migrations not yet recorded, in version order, each in its own transaction together
 * with its row in `schema_migrations`. The advisory lock makes concurrent starters take turns, so
 * each migration runs once. Returns the versions applied now.
 */
export async function migrate(db: Kysely<Tables>, migrations: readonly Migration[]): Promise<number[]> {
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]!.version <= migrations[i - 1]!.version) throw new MigrationError('migrations must have increasing versions');
  }
  const applied: number[] = [];
  for (const migration of migrations) {
    const ran = await db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(${sql.lit(MIGRATION_LOCK)})`.execute(trx);
      await sql`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`.execute(trx);
      const recorded = await trx.selectFrom('schema_migrations').select(['version', 'name']).orderBy('version').execute();
      checkHistory(recorded, migrations);
      if (recorded.some((r) => r.version === migration.version)) return false;
      for (const statement of migration.statements) await sql.raw(statement).execute(trx);
      await trx.insertInto('schema_migrations').values({ version: migration.version, name: migration.name }).execute();
      return true;
    });
    if (ran) applied.push(migration.version);
  }
  return applied;
}

/** A database ahead of this build, or with a different history, is not ours to use. */
function checkHistory(recorded: readonly { version: number; name: string }[], known: readonly Migration[]): void {
  for (const row of recorded) {
    const mine = known.find((m) => m.version === row.version);
    if (!mine) throw new MigrationError(`the database has migration ${row.version} (${row.name}), which this build does not know: it was migrated by a newer version`);
    if (mine.name !== row.name) throw new MigrationError(`migration ${row.version} is recorded as "${row.name}" but this build calls it "${mine.name}"`);
  }
}
