// @ts-check
/* global fetch */
// Start-up and idle cost of the embedded default (issue 17): `node dist/cli.js start` with every
// role and the embedded database on a fresh DATA_DIR, as `npm start` runs it on a new machine,
// then started again on that DATA_DIR (a restart: the database exists, no initdb).
//   node bench/startup.mjs [--idle-seconds 10]
// Measures, from each spawn: the start line, the first tick on /ws, /ready answering 200 (the
// embedded database open); the longest event-loop stall the process saw (its own
// nodejs_eventloop_lag_max_seconds, which each scrape resets: read at the start line for the stall
// before it listens, and when /ready is 200 for the stall while serving and opening the database);
// and its resident memory after --idle-seconds of idling with one client connected. Prints one
// JSON line: the first start's figures, and the restart's under `restart`.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const argv = process.argv.slice(2);
const i = argv.indexOf('--idle-seconds');
const IDLE_SECONDS = i >= 0 ? Number(argv[i + 1]) : 10;

/** @param {string} text @param {string} name */
const metric = (text, name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
/** @param {string} url */
const stallMs = async (url) => metric(await (await fetch(`${url}/metrics`)).text(), 'nodejs_eventloop_lag_max_seconds') * 1000;

/** One start on `dataDir`, measured until it has idled; the process is stopped before returning. */
async function measure(/** @type {string} */ dataDir) {
  const started = performance.now();
  const child = spawn(process.execPath, [`${ROOT}dist/cli.js`, 'start'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_FORMAT: 'json', DATA_DIR: dataDir, EXIT_WITH_PARENT: 'true' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const since = () => performance.now() - started;
  /** @type {Record<string, number | string>} */
  const out = {};
  try {
    const url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no start line within 60 s')), 60_000);
      child.once('exit', (code) => reject(new Error(`exited with ${code} before starting`)));
      createInterface({ input: /** @type {import('node:stream').Readable} */ (child.stdout) }).on('line', (line) => {
        try {
          const entry = JSON.parse(line);
          if (entry.msg === 'tickstream started') {
            clearTimeout(timer);
            resolve(String(entry.url).replace('localhost', '127.0.0.1'));
          }
        } catch {
          // not a log line
        }
      });
    });
    out.startLineMs = since();
    out.eventLoopMaxStallBeforeListenMs = await stallMs(url);
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`);
    ws.on('error', () => {});
    const firstTick = new Promise((resolve) => ws.once('message', () => resolve(since())));
    for (;;) {
      const res = await fetch(`${url}/ready`).catch(() => undefined);
      if (res?.status === 200) break;
      if (since() > 120_000) throw new Error('not ready within 120 s');
      await sleep(20);
    }
    out.readyMs = since();
    out.firstTickMs = /** @type {number} */ (await firstTick);
    out.eventLoopMaxStallServingMs = await stallMs(url);
    out.eventLoopMaxStallMs = Math.max(out.eventLoopMaxStallBeforeListenMs, out.eventLoopMaxStallServingMs);
    await sleep(IDLE_SECONDS * 1000);
    const idle = await (await fetch(`${url}/metrics`)).text();
    out.idleRssMiB = metric(idle, 'process_resident_memory_bytes') / 2 ** 20;
    out.idleHeapUsedMiB = metric(idle, 'nodejs_heap_size_used_bytes') / 2 ** 20;
    out.idleSeconds = IDLE_SECONDS;
    ws.close();
  } catch (error) {
    out.error = error instanceof Error ? error.message : String(error);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)));
  }
  return out;
}

const dataDir = mkdtempSync(join(tmpdir(), 'tickstream-startup-'));
try {
  const first = await measure(dataDir);
  const restart = first.error ? undefined : await measure(dataDir);
  console.log(JSON.stringify({ ...first, ...(restart ? { restart } : {}) }));
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
