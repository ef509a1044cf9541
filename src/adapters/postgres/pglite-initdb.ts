import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compiledSibling } from './compiled-sibling.js';

const INITDB_MAIN = compiledSibling('pglite-initdb-main.js', import.meta.url);

/**
 * Creates a new PGlite database directory in a short-lived child process, when it has none yet.
 * initdb inside PGlite peaks at ~700 MB (a second WebAssembly instance, the data directory copied
 * through buffers), and the allocator keeps most of that mapped after it is freed: done in the
 * process that goes on serving, it stayed in its idle memory for good. A child returns it all to
 * the system when it exits; the worker thread then opens the finished directory (~130 MB).
 * PGlite decides the same way (PG_VERSION there or not), so a directory it made is used as is.
 */
export async function initdbIfNew(directory: string): Promise<void> {
  if (await access(join(directory, 'PG_VERSION')).then(() => true, () => false)) return;
  const child = spawn(process.execPath, [fileURLToPath(INITDB_MAIN), directory], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2_000)));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  if (code !== 0) throw new Error(`creating the embedded database in ${directory} failed (exit code ${code}): ${stderr.trim()}`);
}
