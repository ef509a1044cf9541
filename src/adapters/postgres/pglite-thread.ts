import { Worker } from 'node:worker_threads';
import { TickstreamError } from '../../domain/errors.js';
import { compiledSibling } from './compiled-sibling.js';
import { fromFields, type FromWorker, type QueryRows, type ToWorker, type WorkerData } from './pglite-protocol.js';

const WORKER_URL = compiledSibling('pglite-worker.js', import.meta.url);

/** How long close() lets PGlite finish (checkpoint, files closed) before terminating the thread. */
const CLOSE_GRACE_MS = 10_000;

interface Pending {
  resolve(rows: QueryRows): void;
  reject(error: Error): void;
}

/**
 * Embedded PostgreSQL (PGlite) in a worker thread, queried from this one. PGlite's own worker
 * (`@electric-sql/pglite/worker`) is built on browser Web Workers (navigator.locks leader election,
 * BroadcastChannel, addEventListener), none of which Node 20's worker_threads offer, hence this
 * thin bridge: one message per query, answered with its rows or PostgreSQL's error and fields.
 *
 * If the thread dies, every query in flight and every later one fails with NOT_READY and `lost`
 * resolves with the reason, so the owner can report not-ready and open a new one.
 */
export class PGliteThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private stopped: Error | undefined;
  private markLost!: (error: Error) => void;
  /** Resolves when the thread stops other than by close(), with why. */
  readonly lost = new Promise<Error>((resolve) => (this.markLost = resolve));
  /** Resolves once the thread has exited. */
  readonly exited: Promise<void>;
  private closing = false;
  private readonly opened: Promise<void>;
  private settleOpen!: (error?: Error) => void;

  /** Starts the thread; `ready()` says when PGlite is open. */
  constructor(dataDir: string | undefined, workerUrl: URL = WORKER_URL) {
    this.worker = new Worker(workerUrl, { workerData: { dataDir } satisfies WorkerData });
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.on('message', (message: FromWorker) => this.receive(message));
    this.worker.on('error', (error) => this.stop(error));
    this.worker.on('exit', (code) => this.stop(new Error(`exited with code ${code}`)));
    this.opened = new Promise((resolve, reject) => {
      this.settleOpen = (error) => (error ? reject(error) : resolve());
    });
    // Until someone asks, an open failure is only recorded (ready() rethrows it).
    this.opened.catch(() => undefined);
    // A new Worker keeps the process alive, as it should while opening (a process waiting for its
    // database does not exit under it); once open it does so only while queries are in flight.
  }

  /** Resolves once PGlite is open; rejects with why it could not open. */
  ready(): Promise<void> {
    return this.opened;
  }

  get running(): boolean {
    return this.stopped === undefined;
  }

  query(sql: string, params: readonly unknown[]): Promise<QueryRows> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    return new Promise<QueryRows>((resolve, reject) => {
      // Queries in flight keep the process alive, as a socket would; an idle thread does not.
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.send({ type: 'query', id, sql, params });
    });
  }

  /** Closes PGlite (its files flushed and released) and ends the thread; never leaves it running. */
  async close(): Promise<void> {
    if (!this.stopped && !this.closing) {
      this.closing = true;
      this.worker.ref();
      this.send({ type: 'close' });
      const timer = setTimeout(() => void this.worker.terminate(), CLOSE_GRACE_MS);
      await this.exited;
      clearTimeout(timer);
    }
    await this.exited;
  }

  private send(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  private receive(message: FromWorker): void {
    switch (message.type) {
      case 'ready':
        this.worker.unref();
        this.settleOpen();
        return;
      case 'failed':
        this.settleOpen(fromFields(message.error));
        return;
      case 'closed':
        return;
      case 'result':
      case 'error': {
        const waiting = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (this.pending.size === 0 && !this.closing) this.worker.unref();
        if (message.type === 'result') waiting?.resolve(message.result);
        else waiting?.reject(fromFields(message.error));
      }
    }
  }

  /** The thread is gone (an error in it, or its exit): nothing more will be answered. */
  private stop(reason: Error): void {
    if (this.stopped) return;
    const expected = this.closing;
    this.stopped = new TickstreamError('NOT_READY', expected ? 'The embedded database is closed.' : `The embedded database stopped (${reason.message}).`);
    this.settleOpen(this.stopped);
    for (const waiting of this.pending.values()) waiting.reject(this.stopped);
    this.pending.clear();
    if (!expected) this.markLost(this.stopped);
  }
}
