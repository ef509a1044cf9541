import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PostgresDialect } from 'kysely';
import type pg from 'pg';
import { PGliteDialect } from './pglite-dialect.js';
import { initdbIfNew } from './pglite-initdb.js';
import { PGliteThread } from './pglite-thread.js';
import type { Engine } from './sql-database.js';

/** `DATA_DIR=memory`: nothing is written to disk and nothing survives the process. */
export const IN_MEMORY = 'memory';

/**
 * Embedded PostgreSQL (PGlite, WebAssembly) under `<dataDir>/pglite`, or in memory, in a worker
 * thread (pglite-thread.ts) so that opening it never stalls this thread. A lock file keeps a
 * second process off the same directory: PGlite is single-process and would corrupt it.
 */
export function pgliteEngine(dataDir: string): Engine {
  return {
    kind: 'pglite',
    async open() {
      if (dataDir === IN_MEMORY) return openThread(undefined, async () => {});
      const dir = resolve(dataDir);
      await mkdir(dir, { recursive: true });
      const unlock = await lockDirectory(join(dir, 'pglite.lock'));
      try {
        await initdbIfNew(join(dir, 'pglite'));
      } catch (error) {
        await unlock();
        throw error;
      }
      return openThread(join(dir, 'pglite'), unlock);
    },
  };
}

/** The thread once PGlite is open in it; the lock is released once it has ended, however it ends. */
async function openThread(directory: string | undefined, unlock: () => Promise<void>): ReturnType<Engine['open']> {
  let thread: PGliteThread | undefined;
  try {
    thread = new PGliteThread(directory);
    await thread.ready();
  } catch (error) {
    await thread?.close();
    await unlock();
    throw error;
  }
  return {
    dialect: new PGliteDialect(thread),
    lost: thread.lost,
    close: async () => {
      await thread.close();
      await unlock();
    },
  };
}

/** Lock files this process holds: its own pid in a lock file is then not a leftover. */
const heldHere = new Set<string>();

async function lockDirectory(path: string): Promise<() => Promise<void>> {
  const inUse = (by: string) =>
    new Error(`${path}: the embedded database is in use by ${by}; use another DATA_DIR, or DATABASE_URL to share PostgreSQL between processes`);
  if (heldHere.has(path)) throw inUse('this process');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      heldHere.add(path);
      return async () => {
        heldHere.delete(path);
        await rm(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) throw inUse(`process ${holder}`);
      // Left behind by a process that is gone (or by this pid in a previous container): take it over.
      await rm(path, { force: true });
    }
  }
  throw new Error(`${path}: could not take the lock`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface PostgresOptions {
  readonly url: string;
  readonly poolSize: number;
  /** Schema to use instead of the URL's default, set on every connection (tests run in their own). */
  readonly searchPath?: string;
  /** Called with errors of idle pooled connections, which pg would otherwise throw. */
  readonly onError?: (error: Error) => void;
}

/** int8 as a JavaScript number, as PGlite returns it: ids, seqs and revisions stay below 2^53. */
function int8AsNumber(types: typeof pg.types): pg.CustomTypesConfig {
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === types.builtins.INT8 ? (value: string) => Number(value) : types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
  };
}

/** PostgreSQL through a pg connection pool. */
export function postgresEngine(options: PostgresOptions): Engine {
  return {
    kind: 'postgres',
    async open() {
      // Loaded here, not at start: the embedded default never needs pg (~16 MB resident).
      const { default: pg } = await import('pg');
      const pool = new pg.Pool({
        connectionString: options.url,
        max: options.poolSize,
        types: int8AsNumber(pg.types),
        ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
      });
      pool.on('error', (error) => options.onError?.(error));
      // Fail at start, with the engine's reason, rather than at the first request.
      const client = await pool.connect().catch(async (error: unknown) => {
        await pool.end();
        throw error;
      });
      client.release();
      return { dialect: new PostgresDialect({ pool }), close: async () => {} };
    },
  };
}
