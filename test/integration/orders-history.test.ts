import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, type Compilable } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresEngine } from '../../src/adapters/postgres/engines.js';
import { openOrdersQuery, reservedCashQuery } from '../../src/adapters/postgres/reservations.js';
import { SqlDatabase } from '../../src/adapters/postgres/sql-database.js';
import type { Tables } from '../../src/adapters/postgres/tables.js';
import { privateDatabase } from '../support/paper-trading.js';

/** Compiles kysely queries without a connection: the statements the repository sends, to EXPLAIN. */
const compiler = new Kysely<Tables>({
  dialect: { createAdapter: () => new PostgresAdapter(), createDriver: () => new DummyDriver(), createIntrospector: (db) => new PostgresIntrospector(db), createQueryCompiler: () => new PostgresQueryCompiler() },
});

/** Every plan node of an EXPLAIN (FORMAT JSON) answer, depth first. */
function nodes(plan: Record<string, unknown>): Record<string, unknown>[] {
  return [plan, ...((plan.Plans as Record<string, unknown>[] | undefined) ?? []).flatMap(nodes)];
}

/**
 * Buying power is read on every submission and every fill batch: what its owners' open orders hold
 * back. Those reads must go to the owners' open orders by index — not through every open order of
 * every user (orders_open, by symbol, which they used before) nor every order the owners ever
 * placed — or each submission gets slower with what other users and the past hold.
 */
describe('paper trading ledger reads among many orders (PostgreSQL)', () => {
  let database: Awaited<ReturnType<typeof privateDatabase>>;
  let db: SqlDatabase;
  let client: pg.Client;
  const users: number[] = [];

  beforeAll(async () => {
    database = await privateDatabase('history');
    db = new SqlDatabase(postgresEngine({ url: database.url, poolSize: 2 }));
    await db.start();
    for (let i = 0; i < 8; i++) users.push((await db.accounts.create(`history_${i}`, 'hash'))!.id);
    const other = (await db.accounts.create('history_other', 'hash'))!.id;
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    // 40,000 closed orders over the 8 owners and one open order each; 5,000 open orders of another user.
    await client.query(
      `INSERT INTO orders (user_id, symbol, side, type, time_in_force, quantity, filled_quantity, status, after_seq, day, reserved)
       SELECT ($1::integer[])[g % 8 + 1], 'SYM' || (g % 4), 'buy', 'market', 'day', 1, CASE WHEN g <= 40000 THEN 1 ELSE 0 END,
              CASE WHEN g <= 40000 THEN 'filled' ELSE 'accepted' END, g, 0, CASE WHEN g <= 40000 THEN 0 ELSE 1000000 END
       FROM generate_series(1, 40008) AS g`,
      [users],
    );
    await client.query(
      `INSERT INTO orders (user_id, symbol, side, type, time_in_force, quantity, limit_price, status, after_seq, day, reserved)
       SELECT $1, 'SYM' || (g % 4), 'buy', 'limit', 'gtc', 1, 1000, 'accepted', g, 0, 1000 FROM generate_series(1, 5000) AS g`,
      [other],
    );
    await client.query('ANALYZE orders');
  }, 60_000);

  afterAll(async () => {
    await client?.end();
    await db?.close();
    await database?.drop();
  });

  const planOf = async (query: Compilable) => {
    const { sql, parameters } = query.compile();
    const { rows } = await client.query<{ 'QUERY PLAN': { Plan: Record<string, unknown> }[] }>(`EXPLAIN (FORMAT JSON) ${sql}`, [...parameters]);
    return nodes(rows[0]!['QUERY PLAN'][0]!.Plan);
  };

  it.each([
    ['reserved cash of a fill batch', () => reservedCashQuery(compiler, users)],
    ['open orders of a submission batch', () => openOrdersQuery(compiler, users)],
  ])('%s: by the owners\' open orders, not every open order or the whole history', async (_, query) => {
    const plan = await planOf(query());
    const onOrders = plan.filter((n) => n['Relation Name'] === 'orders' || typeof n['Index Name'] === 'string');
    expect(onOrders.map((n) => n['Node Type'])).not.toContain('Seq Scan');
    expect(plan.map((n) => n['Index Name']).filter(Boolean)).toContain('orders_user_open');
  });

  it('the reads still see exactly the open orders', async () => {
    const { rows } = await client.query<{ user_id: number; reserved: string }>(reservedCashQuery(compiler, users).compile().sql, [...reservedCashQuery(compiler, users).compile().parameters]);
    expect(rows.map((r) => [r.user_id, Number(r.reserved)]).sort((a, b) => a[0]! - b[0]!)).toEqual(users.map((u) => [u, 1_000_000]));
  });
});
