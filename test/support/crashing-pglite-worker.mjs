// A stand-in for pglite-worker.ts that speaks its protocol without PGlite: it opens at once,
// answers `SELECT 1`, and dies (an uncaught error, as a WebAssembly abort would be) on `crash`.
import { parentPort } from 'node:worker_threads';

const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
port.postMessage({ type: 'ready' });
port.on('message', (message) => {
  if (message.type === 'close') {
    port.postMessage({ type: 'closed' });
    port.close();
  } else if (message.sql === 'crash') {
    throw new Error('simulated crash');
  } else {
    port.postMessage({ type: 'result', id: message.id, result: { rows: [{ '?column?': 1 }], command: 'SELECT', rowCount: 1, affectedRows: 0 } });
  }
});
