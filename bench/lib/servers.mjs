// @ts-check
// The three servers under test, started the same way: pinned to the server core, on a free
// loopback port, ready when their health URL answers.
/* global fetch, AbortSignal */
import { fileURLToPath } from 'node:url';
import { cpuSeconds, freePort, rssBytes, SERVER_CORE, spawnPinned, stopChild, waitHttp } from './proc.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = `${ROOT}dist/cli.js`;
const GC_PRELOAD = `${ROOT}bench/lib/gc-preload.mjs`;
const BASELINES = {
  b1: `${ROOT}bench/baselines/b1-ws.mjs`,
  b2: `${ROOT}bench/baselines/b2-socketio.mjs`,
};
export const SERVER_NAMES = { tickstream: 'tickstream', b1: 'B1 ws', b2: 'B2 Socket.IO' };

/** Engine-related variables of the caller's shell must not leak into a benchmark run. */
function cleanEnv() {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^(REDIS_|KAFKA_|EVENT_LOG|STORE$|DATABASE_URL|AMQP_URL|WS_|ROLES$|TICK_RATE$|SYMBOLS$)/.test(k)) delete env[k];
  return env;
}

/**
 * @param {'tickstream' | 'b1' | 'b2'} kind
 * @param {{ symbols: string[], rate: number, env?: Record<string, string>, gc?: boolean, nodeArgs?: string[] }} o
 */
export async function startServer(kind, { symbols, rate, env = {}, gc = false, nodeArgs: extraNodeArgs = [] }) {
  const port = await freePort();
  const base = { ...cleanEnv(), HOST: '127.0.0.1', PORT: String(port), SYMBOLS: symbols.join(','), TICK_RATE: String(rate) };
  const nodeArgs = [...(gc ? ['--expose-gc', '--import', GC_PRELOAD] : []), ...extraNodeArgs];
  let child;
  let healthUrl;
  if (kind === 'tickstream') {
    child = spawnPinned({
      core: SERVER_CORE,
      cmd: process.execPath,
      args: [...nodeArgs, CLI, 'start'],
      env: {
        ...base,
        // The tick path to WebSocket clients. `api` (REST and the embedded database for accounts)
        // and `alerts` are not on it; the database's background start would also land in the
        // first measurements. BENCH_ROLES=all puts them back.
        ROLES: process.env.BENCH_ROLES ?? 'generator,processor,gateway',
        EVENT_LOG: 'memory',
        STORE: 'memory',
        LOG_LEVEL: 'warn',
        LOG_FORMAT: 'json',
        SEED: '42',
        // Part of the roles in one process: refused without a shared secret (nothing here logs in).
        JWT_SECRET: 'bench-secret-of-at-least-32-characters',
        WS_MAX_CONNECTIONS: '200000',
        WS_MAX_CONNECTIONS_PER_IP: '200000',
        WS_CONNECT_RATE: '1000000',
        WS_CONNECT_BURST: '10000000',
        ...env,
      },
    });
    // /ready, not /health: the embedded database opens in the background after the port is up,
    // and its start (CPU, ~200 MB) must not land in a measurement.
    healthUrl = `http://127.0.0.1:${port}/ready`;
  } else {
    child = spawnPinned({ core: SERVER_CORE, cmd: process.execPath, args: [...nodeArgs, BASELINES[kind]], env: { ...base, ...env } });
    healthUrl = `http://127.0.0.1:${port}/stats`;
  }
  try {
    await waitHttp(healthUrl, child, 90_000);
  } catch (error) {
    await stopChild(child, 500);
    throw error;
  }
  return new Server(kind, child, port);
}

class Server {
  constructor(kind, child, port) {
    this.kind = kind;
    this.child = child;
    this.pid = child.pid;
    this.port = port;
  }

  get name() {
    return SERVER_NAMES[this.kind];
  }

  cpu() {
    return cpuSeconds(this.pid);
  }

  rss() {
    return rssBytes(this.pid);
  }

  alive() {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Counters and the event-loop delay p99 since the previous call (both reset the ELD window). */
  async stats() {
    try {
      if (this.kind === 'tickstream') {
        const text = await (await fetch(`http://127.0.0.1:${this.port}/metrics`, { signal: AbortSignal.timeout(20_000) })).text();
        const m = parseProm(text);
        return {
          eldP99Ms: (m.tickstream_process_nodejs_eventloop_lag_p99_seconds ?? NaN) * 1000,
          conflated: m.tickstream_ws_ticks_conflated_total ?? 0,
          framesSent: m.tickstream_ws_frames_sent_total ?? 0,
          slowCloses: m.tickstream_ws_slow_consumer_closes_total ?? 0,
          connections: m.tickstream_ws_connections ?? NaN,
          ticksPublished: m.tickstream_ticks_published_total ?? 0,
          generated: m.tickstream_ticks_generated_total ?? NaN,
        };
      }
      const s = /** @type {any} */ (await (await fetch(`http://127.0.0.1:${this.port}/stats`, { signal: AbortSignal.timeout(20_000) })).json());
      return { eldP99Ms: s.eldP99Ms, conflated: 0, framesSent: NaN, slowCloses: 0, connections: s.connections, generated: s.generated };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error), eldP99Ms: NaN, conflated: NaN, slowCloses: NaN };
    }
  }

  /** Runs the GC (only when started with `gc: true`). */
  gc() {
    try {
      process.kill(this.pid, 'SIGUSR2');
    } catch {
      // gone
    }
  }

  async stop() {
    await stopChild(this.child, 5000);
  }
}

/** Prometheus text → name → value, summed over label sets. */
export function parseProm(text) {
  const out = {};
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    out[m[1]] = (out[m[1]] ?? 0) + Number(m[3]);
  }
  return out;
}
