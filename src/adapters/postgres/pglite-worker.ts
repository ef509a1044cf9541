import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { pgliteOptions } from './pglite-options.js';
import { errorFields, type FromWorker, type ToWorker, type WorkerData } from './pglite-protocol.js';

/**
 * The embedded database's own thread (started by pglite-thread.ts): PGlite compiles PostgreSQL's
 * WebAssembly and runs initdb, recovery and every query synchronously on the thread that owns it,
 * seconds of CPU at start, which here never hold up the main thread's event loop. It runs the
 * queries it is sent, one at a time in arrival order; sessions and transactions are the sender's.
 */

const port = parentPort!;
const { dataDir } = workerData as WorkerData;
const send = (message: FromWorker) => port.postMessage(message);

const pglite = new PGlite(dataDir, pgliteOptions());
let closing = false;

pglite.waitReady.then(
  () => send({ type: 'ready' }),
  (error: unknown) => {
    send({ type: 'failed', error: errorFields(error) });
    port.close();
  },
);

port.on('message', (message: ToWorker) => {
  if (message.type === 'close') {
    if (closing) return;
    closing = true;
    // PGlite queues close() behind queries already sent, so they finish before it shuts down.
    pglite.close().then(
      () => send({ type: 'closed' }),
      (error: unknown) => send({ type: 'failed', error: errorFields(error) }),
    ).finally(() => port.close());
    return;
  }
  pglite.query(message.sql, [...message.params]).then(
    (result) => send({ type: 'result', id: message.id, result: { rows: result.rows, command: result.command, rowCount: result.rowCount, affectedRows: result.affectedRows } }),
    (error: unknown) => send({ type: 'error', id: message.id, error: errorFields(error) }),
  );
});
