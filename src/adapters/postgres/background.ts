import { TickstreamError } from '../../domain/errors.js';
import { backoffDelay, doubling } from '../../domain/backoff.js';
import type { AccountRepository, AlertRepository, Database, OrderRepository, Repositories } from '../../ports/database.js';
import type { SqlDatabase } from './sql-database.js';

export interface BackgroundOptions {
  /** How long a call waits for the database to open before failing with NOT_READY. */
  readonly waitMs: number;
  /**
   * DATA_DIR=memory: nothing is lost by exiting while it still opens, and a new in-memory database
   * holds nothing until used, so it is opened on first use instead of at start.
   */
  readonly disposable: boolean;
  readonly onReady: (db: SqlDatabase) => void;
  readonly onRetry: (error: unknown, delayMs: number) => void;
  /** The open database stopped by itself (PGlite's thread died); it is reopened after `delayMs`. */
  readonly onLost: (error: Error, delayMs: number) => void;
}

const MAX_RETRY_MS = 10_000;

/**
 * Opens a database without holding up the process: `start()` returns at once and opening (PGlite
 * boots PostgreSQL in WebAssembly, which takes seconds of CPU) goes on in the background, retried
 * with backoff if the engine is not there yet. Prices stream meanwhile; calls that need the
 * database wait for it up to `waitMs`, then fail with NOT_READY (503), and `ping` (/ready) fails
 * until it is open. Same guarantees as the Database it wraps once open. If the engine stops by
 * itself once open (PGlite's worker thread dying), the same happens again: not ready, reopened.
 */
export class BackgroundDatabase implements Database {
  readonly engine: Database['engine'];
  readonly accounts: AccountRepository;
  readonly alerts: AlertRepository;
  readonly orders: OrderRepository;
  private opening: Promise<SqlDatabase> | undefined;
  private started = false;
  private open = false;
  private closed = false;
  private lastError: unknown;
  /** Times the open database was lost, for the backoff before reopening (a crash loop stays slow). */
  private losses = 0;
  private wake: (() => void) | undefined;
  /** Calls waiting in ready(): close() fails them at once rather than letting them hold up a shutdown. */
  private readonly waiting = new Set<(error: Error) => void>();
  /** Set by stopWaiting(): the process is shutting down, so nobody waits for an open any more. */
  private refusing = false;
  private markOpened!: () => void;
  /** Resolves once the database is open (for a disposable one: once something used it). */
  readonly opened = new Promise<void>((resolve) => (this.markOpened = resolve));

  constructor(
    private readonly inner: SqlDatabase,
    private readonly options: BackgroundOptions,
  ) {
    this.engine = inner.engine;
    this.accounts = deferred(() => this.ready().then((db) => db.accounts));
    this.alerts = deferred(() => this.ready().then((db) => db.alerts));
    this.orders = deferred(() => this.ready().then((db) => db.orders));
  }

  async start(): Promise<void> {
    this.closed = false;
    this.refusing = false;
    this.started = true;
    if (!this.options.disposable) this.beginOpening();
  }

  private beginOpening(): Promise<SqlDatabase> {
    this.opening ??= this.openUntilReady();
    // Failures are retried inside; a rejection here only means "closed while opening".
    this.opening.catch(() => undefined);
    return this.opening;
  }

  private async openUntilReady(): Promise<SqlDatabase> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.inner.start();
        if (this.closed) {
          await this.inner.close();
          throw new Error('closed while opening');
        }
        this.open = true;
        this.markOpened();
        this.options.onReady(this.inner);
        void this.inner.lost?.then((error) => this.lose(error));
        return this.inner;
      } catch (error) {
        if (this.closed) throw error;
        this.lastError = error;
        const delay = backoffDelay(attempt, doubling(250, MAX_RETRY_MS));
        this.options.onRetry(error, delay);
        await this.pause(delay);
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = resolve;
      setTimeout(resolve, ms).unref();
    });
  }

  /** The open engine stopped by itself: not ready until a new one is open (in memory: an empty one). */
  private lose(error: Error): void {
    if (this.closed || !this.open) return;
    this.open = false;
    this.lastError = error;
    const delay = backoffDelay(this.losses++, doubling(250, MAX_RETRY_MS));
    this.options.onLost(error, delay);
    this.opening = this.reopen(delay);
    this.opening.catch(() => undefined);
  }

  private async reopen(delayMs: number): Promise<SqlDatabase> {
    // Releases what the dead engine held (the DATA_DIR lock) before a new one takes it.
    await this.inner.close().catch(() => undefined);
    await this.pause(delayMs);
    if (this.closed) throw new Error('closed while reopening');
    return this.openUntilReady();
  }

  /** The open database, or NOT_READY after `waitMs`. */
  private async ready(): Promise<SqlDatabase> {
    if (this.open) return this.inner;
    if (!this.started || this.closed || this.refusing) throw new TickstreamError('NOT_READY', 'The database is not open.');
    const opening = this.beginOpening();
    let timer: NodeJS.Timeout | undefined;
    let fail!: (error: Error) => void;
    const timeout = new Promise<never>((_, reject) => {
      fail = reject;
      timer = setTimeout(() => reject(new TickstreamError('NOT_READY', 'The database is still starting; try again shortly.')), this.options.waitMs);
    });
    this.waiting.add(fail);
    try {
      return await Promise.race([opening, timeout]);
    } finally {
      clearTimeout(timer);
      this.waiting.delete(fail);
    }
  }

  /**
   * For a shutdown: calls waiting for the database to open, and later ones, fail with NOT_READY at
   * once instead of holding up the roles draining their work (an open database is used as usual).
   */
  stopWaiting(): void {
    this.refusing = true;
    for (const fail of this.waiting) fail(new TickstreamError('NOT_READY', 'The database is not open.'));
  }

  async ping(): Promise<void> {
    // Not opened yet because nothing used it: it opens on demand, so it is as ready as it gets.
    if (!this.opening && this.options.disposable && this.started && !this.closed) return;
    if (!this.open) {
      const reason = this.lastError instanceof Error ? `: ${this.lastError.message}` : '';
      throw new Error(`database is starting${reason}`);
    }
    await this.inner.ping();
  }

  /**
   * Waits for an open in progress before closing it, so files on disk are never left half made;
   * a disposable (in-memory) database opening is simply abandoned.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    this.stopWaiting();
    const opening = this.opening;
    this.opening = undefined;
    if (opening && !this.open && this.options.disposable) return;
    await opening?.catch(() => undefined);
    this.open = false;
    await this.inner.close();
  }

  async transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T> {
    return (await this.ready()).transaction(fn);
  }

  async appliedMigrations(): Promise<{ version: number; name: string }[]> {
    return (await this.ready()).appliedMigrations();
  }
}

/** A repository whose every (async) method first waits for the real one. */
function deferred<T extends object>(target: () => Promise<T>): T {
  return new Proxy({} as T, {
    get: (_, key) => async (...args: unknown[]) => {
      const real = await target();
      return (real[key as keyof T] as (...a: unknown[]) => unknown).apply(real, args);
    },
  });
}
