import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { postgresEngine } from '../../src/adapters/postgres/engines.js';
import { SqlDatabase } from '../../src/adapters/postgres/sql-database.js';
import { ledgerContract } from './database-ledger.contract.js';
import { databaseContract, type DatabaseFactory } from './database.contract.js';

/** The `test` database on the local PostgreSQL; each run works in schemas of its own. */
const URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A new schema, and a factory of databases whose connections all use it (search_path). */
async function schema(): Promise<{ open(): SqlDatabase; drop(): Promise<void> }> {
  const name = `contract_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  await admin((c) => c.query(`CREATE SCHEMA ${name}`));
  return {
    open: () => new SqlDatabase(postgresEngine({ url: URL, poolSize: 4, searchPath: name })),
    drop: () => admin((c) => c.query(`DROP SCHEMA ${name} CASCADE`)).then(() => undefined),
  };
}

const factory: DatabaseFactory = async () => {
  const main = await schema();
  const db = main.open();
  await db.start();
  return {
    db,
    concurrent: true,
    another: () => main.open(),
    async fresh(count) {
      const empty = await schema();
      const dbs = Array.from({ length: count }, () => empty.open());
      return {
        dbs,
        async cleanup() {
          for (const d of dbs) await d.close();
          await empty.drop();
        },
      };
    },
    async cleanup() {
      await db.close();
      await main.drop();
    },
  };
};

databaseContract('PostgreSQL', factory);
ledgerContract('PostgreSQL', factory);
