import { PGlite } from '@electric-sql/pglite';
import { pgliteOptions } from './pglite-options.js';

/**
 * `node pglite-initdb-main.js <directory>`: creates an empty PGlite database there and exits (see
 * pglite-initdb.ts for why this runs in a process of its own).
 */
const directory = process.argv[2];
if (!directory) throw new Error('usage: pglite-initdb-main.js <directory>');
const pglite = new PGlite(directory, pgliteOptions());
await pglite.waitReady;
await pglite.close();
