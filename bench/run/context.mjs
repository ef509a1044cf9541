// @ts-check
// One benchmark run's shared state: its options and parameters, the symbols and subscriptions
// every server gets, the results as they come in, and the clock.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { LOAD_CORE, SERVER_CORE, TASKSET } from '../lib/proc.mjs';
import { makeSymbols, zipfSubscriptions } from '../lib/symbols.mjs';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * @typedef {object} Results
 * @property {ReturnType<typeof meta>} meta
 * @property {import('./parameters.mjs').Parameters} params
 * @property {Record<string, any>} sections filled by each section as its runs finish, so a cut-short run keeps them
 * @property {{ target: string, met: boolean | null, detail: string }[]} [targets]
 */

/** @typedef {ReturnType<typeof startRun>} BenchRun */

/**
 * @param {import('./cli.mjs').BenchOptions} options
 * @param {import('./parameters.mjs').Parameters} P
 */
export function startRun(options, P) {
  const startedAt = Date.now();
  const symbols = makeSymbols(P.symbols);
  /** @type {Results} */
  const results = { meta: meta(options), params: P, sections: {} };
  return {
    options,
    P,
    symbols,
    startedAt,
    results,
    /** The same Zipf-drawn symbol lists for every server of the run. @param {number} n */
    subscriptionsFor: (n) => zipfSubscriptions({ n, k: P.perClient, symbols, s: P.zipf, seed: 7 }),
    /** @param {...unknown} parts */
    log: (...parts) => console.log(`[${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)}s]`, ...parts),
    timeLeft: () => options.timeLimitMs - (Date.now() - startedAt),
  };
}

/** The machine and the code the figures belong to. @param {import('./cli.mjs').BenchOptions} options */
function meta(options) {
  /** @param {string[]} args */
  const git = (args) => spawnSync('git', args, { cwd: ROOT }).stdout?.toString().trim();
  return {
    date: new Date().toISOString(),
    mode: options.quick ? 'quick' : 'full',
    node: process.version,
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    taskset: TASKSET ? `servers on core ${SERVER_CORE}, load generator on core ${LOAD_CORE}` : 'not available (no pinning)',
    loadavgAtStart: loadavg().map((x) => x.toFixed(2)).join(' '),
    commit: `${git(['rev-parse', '--short', 'HEAD'])}${git(['status', '--porcelain', '--', 'src']) ? ' + uncommitted src changes' : ''}`,
    /** @type {number | undefined} set when the run ends */
    wallSeconds: undefined,
  };
}
