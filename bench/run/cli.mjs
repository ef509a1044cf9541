// @ts-check
// The command line of bench/run.mjs: what to run, against which servers, for how long.
import { parseArgs } from 'node:util';
import { SERVER_NAMES } from '../lib/servers.mjs';

/** @typedef {keyof typeof SERVER_NAMES} ServerKind */

/**
 * @typedef {object} BenchOptions
 * @property {boolean} help
 * @property {boolean} quick 1,000 clients only, no ramp
 * @property {string[] | undefined} only the sections named with `--only`, in that order
 * @property {ServerKind[]} servers
 * @property {Record<string, string>} tickstreamEnv settings for every tickstream server of the run
 * @property {number} timeLimitMs after this the run writes what it has and exits 1
 */

export const USAGE = `Usage: node bench/run.mjs [options]     (npm run bench -- [options] builds the server first)

  --quick                   1,000 clients, no ramp (under a minute after the build)
  --only SECTION[,SECTION]  run only these sections: fanout, s2, s3, memory, ingest, slow, variants, analytics, tracing, orders, browser, startup
  --servers=KIND[,KIND]     servers to compare: tickstream, b1 (bare ws), b2 (Socket.IO); all three by default
  --tickstream-env=K=V,...  settings for every tickstream server of the run (e.g. WS_FLUSH_MS=20)
  -h, --help                this text

BENCH_TIME_LIMIT_MS caps the run (10 min quick, 20 min full); BENCH_ROLES=all runs every role.
Prints Markdown tables; writes bench/results/<time>.json, latest.json and latest.md.`;

/**
 * @param {readonly string[]} argv the arguments after the script
 * @param {NodeJS.ProcessEnv} env
 * @returns {BenchOptions}
 * @throws {Error} naming what is wrong, for a usage message
 */
export function readOptions(argv, env) {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      help: { type: 'boolean', short: 'h', default: false },
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      servers: { type: 'string' },
      'tickstream-env': { type: 'string' },
    },
  });
  const quick = values.quick === true;
  const only = values.only === undefined ? undefined : list(values.only);
  const servers = values.servers === undefined ? /** @type {ServerKind[]} */ (['tickstream', 'b1', 'b2']) : list(values.servers).map(serverKind);
  const timeLimitMs = Number(env.BENCH_TIME_LIMIT_MS ?? (quick ? 10 : 20) * 60_000);
  if (!(timeLimitMs > 0)) throw new Error(`BENCH_TIME_LIMIT_MS must be a positive number of milliseconds, not ${env.BENCH_TIME_LIMIT_MS}`);
  return { help: values.help === true, quick, only, servers, tickstreamEnv: settings(values['tickstream-env'] ?? ''), timeLimitMs };
}

/** @param {string} text */
const list = (text) => text.split(',').map((s) => s.trim()).filter(Boolean);

/** @param {string} name @returns {ServerKind} */
function serverKind(name) {
  if (!Object.hasOwn(SERVER_NAMES, name)) throw new Error(`unknown server ${name}; known: ${Object.keys(SERVER_NAMES).join(', ')}`);
  return /** @type {ServerKind} */ (name);
}

/** `K=V,K2=V2` → `{ K: 'V', K2: 'V2' }`. @param {string} text @returns {Record<string, string>} */
function settings(text) {
  return Object.fromEntries(
    list(text).map((kv) => {
      const at = kv.indexOf('=');
      if (at < 1) throw new Error(`--tickstream-env wants NAME=VALUE pairs, not ${kv}`);
      return [kv.slice(0, at), kv.slice(at + 1)];
    }),
  );
}
