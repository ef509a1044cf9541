import { PGlite, type PGliteOptions } from '@electric-sql/pglite';

/**
 * PostgreSQL's default 128 MB of shared buffers is the largest part of an idle PGlite's memory
 * (PGlite touches it all at start). The embedded database holds accounts, alerts and orders, far
 * less than that: 16 MB keeps it in cache and saves ~150 MB of resident memory.
 */
const SHARED_BUFFERS = '16MB';

/** How tickstream opens PGlite, wherever (the worker thread, the first-start child process). */
export function pgliteOptions(): PGliteOptions {
  return { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${SHARED_BUFFERS}`] };
}
