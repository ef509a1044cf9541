import { pgliteEngine, postgresEngine } from './engines.js';
import { SqlDatabase } from './sql-database.js';

export interface DatabaseOptions {
  /** PostgreSQL when set; embedded PGlite otherwise. */
  readonly databaseUrl: string | undefined;
  /** PGlite's directory, or `memory`. */
  readonly dataDir: string;
  readonly poolSize: number;
  readonly onError?: (error: Error) => void;
}

export function createDatabase(options: DatabaseOptions): SqlDatabase {
  if (options.databaseUrl) {
    return new SqlDatabase(postgresEngine({ url: options.databaseUrl, poolSize: options.poolSize, onError: options.onError }));
  }
  return new SqlDatabase(pgliteEngine(options.dataDir));
}
