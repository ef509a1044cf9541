import { Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresEngine } from '../../src/adapters/postgres/engines.js';
import { MIGRATIONS } from '../../src/adapters/postgres/migrations.js';
import { migrate } from '../../src/adapters/postgres/migrator.js';
import type { Tables } from '../../src/adapters/postgres/tables.js';
import { privateDatabase } from '../support/paper-trading.js';

/**
 * Migration 4 on a ledger that already has fills (a database of the build before it): day P&L's
 * per-day sums are filled from those fills, by UTC day of the tick, so upgrading loses no day.
 */
describe('migration 4 (fill_days) on a database with fills', () => {
  let database: Awaited<ReturnType<typeof privateDatabase>>;
  let db: Kysely<Tables>;
  let close: () => Promise<void>;

  beforeAll(async () => {
    database = await privateDatabase('fill_days');
    const opened = await postgresEngine({ url: database.url, poolSize: 1 }).open();
    db = new Kysely<Tables>({ dialect: opened.dialect });
    close = async () => {
      await db.destroy();
      await opened.close();
    };
  });

  afterAll(async () => {
    await close?.();
    await database?.drop();
  });

  it('sums the fills there were per owner, UTC day and symbol', async () => {
    expect(await migrate(db, MIGRATIONS.filter((m) => m.version < 4))).toEqual([1, 2, 3]);
    await sql`INSERT INTO users (username, password_hash) VALUES ('upgrader', 'hash')`.execute(db);
    await sql`INSERT INTO orders (user_id, symbol, side, type, time_in_force, quantity, status, after_seq, day)
              SELECT 1, s, side, 'market', 'gtc', 10, 'filled', 0, 0 FROM (VALUES ('AAPL', 'buy'), ('AAPL', 'sell'), ('MSFT', 'buy')) AS v(s, side)`.execute(db);
    // Two AAPL buys on Dec 6 (one at 23:59 UTC), a sell on Dec 7; an MSFT buy on Dec 7.
    await sql`INSERT INTO fills (order_id, user_id, symbol, side, quantity, price, seq, tick_ts) VALUES
              (1, 1, 'AAPL', 'buy', 4, 1000000, 1, '2026-12-06T10:00:00Z'), (1, 1, 'AAPL', 'buy', 6, 1010000, 2, '2026-12-06T23:59:59Z'),
              (2, 1, 'AAPL', 'sell', 3, 1020000, 3, '2026-12-07T00:00:00Z'), (3, 1, 'MSFT', 'buy', 2, 500000, 4, '2026-12-07T09:00:00Z')`.execute(db);

    expect(await migrate(db, MIGRATIONS)).toEqual([4]);
    // The index day P&L read fills by is gone with it: nothing reads fills by time any more.
    expect((await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_indexes WHERE indexname = 'fills_user_time'`.execute(db)).rows[0]!.n).toBe(0);
    const rows = await db.selectFrom('fill_days').selectAll().orderBy('day').orderBy('symbol').execute();
    expect(rows.map((r) => [new Date(r.day).toISOString().slice(0, 10), r.symbol, Number(r.net_quantity), Number(r.cash_flow)])).toEqual([
      ['2026-12-06', 'AAPL', 10, -(4 * 1_000_000 + 6 * 1_010_000)],
      ['2026-12-07', 'AAPL', -3, 3 * 1_020_000],
      ['2026-12-07', 'MSFT', 2, -2 * 500_000],
    ]);
  });
});
