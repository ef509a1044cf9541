import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

/**
 * One PGlite session, wherever it runs: a PGlite instance on this thread (tests share one between
 * several databases) or a PGliteThread (the CLI: PGlite in a worker thread).
 */
export interface PGliteSession {
  query(sql: string, params: unknown[]): Promise<{ rows: unknown[]; command?: string | undefined; rowCount?: number | undefined; affectedRows?: number | undefined }>;
}

/**
 * A kysely dialect for embedded PGlite: PostgreSQL's SQL compiler and adapter over a small driver.
 * PGlite is one session, so the driver hands it to one user at a time: a transaction holds it
 * from BEGIN to COMMIT and other queries wait their turn (never call the outer `db` from inside a
 * transaction callback: it would wait for itself; use the transaction it was given).
 */
export class PGliteDialect implements Dialect {
  constructor(private readonly session: PGliteSession) {}

  createDriver(): Driver {
    return new PGliteDriver(this.session);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}

/**
 * Per session (not per driver: several kysely instances may share one PGlite), a promise that
 * resolves when it is free; each holder chains the next one behind itself.
 */
const sessions = new WeakMap<PGliteSession, Promise<void>>();

class PGliteDriver implements Driver {
  private readonly releases = new WeakMap<DatabaseConnection, () => void>();

  constructor(private readonly session: PGliteSession) {}

  /** The session is open before the dialect is made. */
  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const free = sessions.get(this.session) ?? Promise.resolve();
    sessions.set(this.session, free.then(() => held));
    await free;
    const connection = new PGliteConnection(this.session);
    this.releases.set(connection, release);
    return connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const isolation = settings.isolationLevel ? ` ISOLATION LEVEL ${settings.isolationLevel}` : '';
    const access = settings.accessMode ? ` ${settings.accessMode}` : '';
    await connection.executeQuery(CompiledQuery.raw(`BEGIN${isolation}${access}`));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('COMMIT'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('ROLLBACK'));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    this.releases.get(connection)?.();
    this.releases.delete(connection);
  }

  /** The session belongs to whoever opened it; closing it is theirs to do. */
  async destroy(): Promise<void> {}
}

const CHANGES_ROWS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

class PGliteConnection implements DatabaseConnection {
  constructor(private readonly session: PGliteSession) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.session.query(compiled.sql, [...compiled.parameters]);
    const changed = result.command !== undefined && CHANGES_ROWS.has(result.command);
    return {
      rows: result.rows as R[],
      numAffectedRows: changed ? BigInt(result.rowCount ?? result.affectedRows ?? 0) : undefined,
    };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('PGlite dialect: streaming queries are not supported');
  }
}
