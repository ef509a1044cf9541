// @ts-check
// Child processes of the benchmark: pinned to a core with taskset when there is one, with the
// open-file limit raised to the hard limit, all killed when the harness exits for any reason.
/* global fetch, AbortSignal */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { cpus } from 'node:os';

const children = new Set();
function killAll() {
  for (const child of children) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  children.clear();
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

export const CORES = cpus().length;
export const TASKSET = CORES >= 2 && spawnSync('taskset', ['-V']).status === 0;
/** Servers on core 0, the load generator (and this harness) on core 1. */
export const SERVER_CORE = 0;
export const LOAD_CORE = 1;
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;

export function pinSelf(core) {
  if (TASKSET) spawnSync('taskset', ['-pc', String(core), String(process.pid)], { stdio: 'ignore' });
}

/**
 * A child with what the harness reads of it: the tail of its stderr, and a promise of its exit.
 * @typedef {import('node:child_process').ChildProcess & { stderrText: string, exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }> }} PinnedChild
 */

/**
 * Spawns `cmd args` through bash (for `ulimit -n`) and taskset; both `exec`, so the pid is the
 * program's own and /proc/<pid> reads it.
 * @param {{ core?: number | string, cmd: string, args?: string[], env?: NodeJS.ProcessEnv, ipc?: boolean, quiet?: boolean, cwd?: string, stdout?: 'pipe' | 'inherit' | 'ignore' }} o
 * @returns {PinnedChild}
 */
export function spawnPinned({ core, cmd, args = [], env = process.env, ipc = false, quiet = true, cwd, stdout }) {
  const pre = TASKSET && core !== undefined ? ['taskset', '-c', String(core)] : [];
  const child = /** @type {PinnedChild} */ (
    spawn('bash', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', 'bench', ...pre, cmd, ...args], {
      env,
      cwd,
      stdio: ipc ? ['ignore', 'inherit', 'inherit', 'ipc'] : ['ignore', stdout ?? (quiet ? 'ignore' : 'inherit'), 'pipe'],
    })
  );
  children.add(child);
  child.stderrText = '';
  child.stderr?.on('data', (d) => {
    if (child.stderrText.length < 20_000) child.stderrText += d.toString();
  });
  child.exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  return child;
}

/** SIGTERM, then SIGKILL after `graceMs`. @param {PinnedChild} child */
export async function stopChild(child, graceMs = 4000) {
  const pid = child.pid;
  // No pid: it never started.
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }, graceMs);
  await child.exited;
  clearTimeout(timer);
}

/** User + system CPU seconds of a process so far. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/** Resident set size in bytes. */
export function rssBytes(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** @returns {Promise<number>} */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

/** @param {number} ms @returns {Promise<void>} */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `url` until it answers 200, the child dies, or `timeoutMs` passes. @param {string} url @param {PinnedChild} child */
export async function waitHttp(url, child, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`process exited (${child.exitCode}) before answering ${url}: ${child.stderrText.slice(-2000)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not yet
    }
    await sleep(100);
  }
  throw new Error(`${url} did not answer in ${timeoutMs} ms`);
}

/** A load-generator worker process (bench/load/worker.mjs) and a request/response over IPC. */
export function startWorker(workerPath) {
  const child = spawnPinned({ core: LOAD_CORE, cmd: process.execPath, args: ['--max-old-space-size=8192', workerPath], ipc: true });
  let next = 1;
  const waiting = new Map();
  child.on('message', (/** @type {any} */ msg) => {
    const w = waiting.get(msg.id);
    if (!w) return;
    waiting.delete(msg.id);
    if (msg.error) w.reject(new Error(msg.error));
    else w.resolve(msg.result);
  });
  child.exited.then(({ code, signal }) => {
    for (const w of waiting.values()) w.reject(new Error(`load worker exited (${code ?? signal})`));
    waiting.clear();
  });
  return {
    child,
    /** @param {string} cmd @param {object} payload @returns {Promise<any>} */
    request(cmd, payload = {}, timeoutMs = 120_000) {
      const id = next++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`load worker: ${cmd} timed out`));
        }, timeoutMs);
        waiting.set(id, {
          resolve: (v) => (clearTimeout(timer), resolve(v)),
          reject: (e) => (clearTimeout(timer), reject(e)),
        });
        child.send({ id, cmd, ...payload });
      });
    },
    async close() {
      await this.request('close', {}, 10_000).catch(() => {});
      await stopChild(child, 2000);
    },
  };
}
