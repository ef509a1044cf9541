import { Kysely, sql, type Dialect } from 'kysely';
import type { Database, Repositories } from '../../ports/database.js';
import { SqlAccountRepository } from './account-repository.js';
import { SqlAlertRepository } from './alert-repository.js';
import { SqlOrderRepository } from './order-repository.js';
import { MIGRATIONS, type Migration } from './migrations.js';
import { migrate } from './migrator.js';
import type { Tables } from './tables.js';

/** How to reach one engine: opened at `start()`, closed at `close()`. */
export interface Engine {
  readonly kind: 'pglite' | 'postgres';
  /** `lost` resolves if the engine stops by itself once open (PGlite's thread dying), with why. */
  open(): Promise<{ dialect: Dialect; close(): Promise<void>; lost?: Promise<Error> }>;
}

function repositories(db: Kysely<Tables>): Repositories {
  return { accounts: new SqlAccountRepository(db), alerts: new SqlAlertRepository(db), orders: new SqlOrderRepository(db) };
}

/** The Database port over kysely: the same queries and migrations on PGlite and PostgreSQL. */
export class SqlDatabase implements Database {
  readonly engine: 'pglite' | 'postgres';
  private db: Kysely<Tables> | undefined;
  private repos: Repositories | undefined;
  private closeEngine: (() => Promise<void>) | undefined;
  /** Resolves if the engine opened by the last `start()` stops by itself, with why. */
  lost: Promise<Error> | undefined;
  /** Versions applied by the last `start()`, for the start log line. */
  appliedAtStart: number[] = [];

  constructor(
    private readonly source: Engine,
    private readonly migrations: readonly Migration[] = MIGRATIONS,
  ) {
    this.engine = source.kind;
  }

  async start(): Promise<void> {
    if (this.db) return;
    const { dialect, close, lost } = await this.source.open();
    this.closeEngine = close;
    this.lost = lost;
    this.db = new Kysely<Tables>({ dialect });
    this.repos = repositories(this.db);
    try {
      this.appliedAtStart = await migrate(this.db, this.migrations);
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    this.repos = undefined;
    await db?.destroy();
    await this.closeEngine?.();
    this.closeEngine = undefined;
  }

  async ping(): Promise<void> {
    await sql`SELECT 1`.execute(this.kysely());
  }

  get accounts(): Repositories['accounts'] {
    return this.repositories().accounts;
  }

  get alerts(): Repositories['alerts'] {
    return this.repositories().alerts;
  }

  get orders(): Repositories['orders'] {
    return this.repositories().orders;
  }

  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T> {
    return this.kysely().transaction().execute((trx) => fn(repositories(trx)));
  }

  async appliedMigrations(): Promise<{ version: number; name: string }[]> {
    return this.kysely().selectFrom('schema_migrations').select(['version', 'name']).orderBy('version').execute();
  }

  private kysely(): Kysely<Tables> {
    if (!this.db) throw new Error('database is not started');
    return this.db;
  }

  private repositories(): Repositories {
    if (!this.repos) throw new Error('database is not started');
    return this.repos;
  }
}
