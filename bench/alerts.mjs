// Alert latency for ordinary users while one user floods: 20 users with one re-arming alert each on
// CALM (crossed every 500 ms) measure injection → their alert message, first alone, then while a
// flooder's 200 re-arming alerts with no cooldown on FLOOD are crossed 50 times a second (10,000
// fires/s asked for), with the per-user fire budget (defaults) and with it lifted. Real CLI
// (processor, gateway, api, alerts; embedded database in memory), ticks through the test route.
//   npm run build:server && node bench/alerts.mjs [seconds=10]
/* global fetch */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

const SECONDS = Number(process.argv[2] ?? 10);
const CALM_USERS = 20;
const FLOOD_ALERTS = 200;
const CLI = new URL('../dist/cli.js', import.meta.url).pathname;
const pct = (sorted, p) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function startServer(env) {
  const child = spawn(process.execPath, [CLI, 'start'], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_FORMAT: 'json', LOG_LEVEL: 'info', EXIT_WITH_PARENT: 'true', DATA_DIR: 'memory', ROLES: 'processor,gateway,api,alerts', TEST_TICK_INJECTION: 'true', SYMBOLS: 'CALM,FLOOD', JWT_SECRET: 'bench-alerts-secret-0123456789abcdefghij', AUTH_REGISTRATIONS_PER_IP: '1000', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const entry = JSON.parse(line);
        if (entry.msg === 'tickstream started') resolve({ child, http: entry.url.replace('localhost', '127.0.0.1') });
      } catch {
        // not a log line
      }
    });
  });
}

/** @returns {Promise<any>} the answer's JSON, read loosely */
async function call(http, method, path, token, body) {
  const res = await fetch(http + path, { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

const metric = async (http, name) => {
  const text = await (await fetch(`${http}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : 0;
};

async function user(http, name) {
  const { token } = await call(http, 'POST', '/api/v1/auth/register', undefined, { username: `${name}${Math.random().toString(36).slice(2, 8)}`, password: 'password-123' });
  return token;
}

function socket(http, token, onAlert) {
  const ws = new WebSocket(`${http.replace('http', 'ws')}/ws?symbols=&token=${token}`);
  ws.on('message', (data) => {
    const m = JSON.parse(String(data));
    if (m.type === 'alert') onAlert(m);
  });
  return new Promise((resolve) => ws.once('open', () => resolve(ws)));
}

async function phase(label, env, flood) {
  const { child, http } = await startServer(env);
  try {
    while ((await fetch(`${http}/ready`)).status !== 200) await sleep(200);
    let seq = { CALM: 0, FLOOD: 0 };
    const inject = (ticks) => call(http, 'POST', '/api/v1/test/ticks', undefined, { ticks: ticks.map(({ symbol, price }) => ({ symbol, price, seq: ++seq[symbol] })) });
    const latencies = [];
    let pending = new Map();
    const sockets = [];
    for (let i = 0; i < CALM_USERS; i++) {
      const token = await user(http, 'calm');
      await call(http, 'POST', '/api/v1/alerts', token, { symbol: 'CALM', condition: 'crosses_above', threshold: 100, mode: 'rearm', cooldownSeconds: 0 });
      sockets.push(
        await socket(http, token, (m) => {
          const sent = pending.get(m.price);
          if (sent !== undefined) latencies.push(performance.now() - sent);
        }),
      );
    }
    let flooderFires = 0;
    if (flood) {
      const token = await user(http, 'flood');
      for (let i = 0; i < FLOOD_ALERTS; i++) await call(http, 'POST', '/api/v1/alerts', token, { symbol: 'FLOOD', condition: 'crosses_above', threshold: 100, mode: 'rearm', cooldownSeconds: 0 });
      sockets.push(await socket(http, token, () => flooderFires++));
    }
    await inject([{ symbol: 'CALM', price: 99 }]);
    const end = performance.now() + SECONDS * 1000;
    let stop = false;
    const flooding = (async () => {
      // 100 FLOOD ticks a second, alternating sides: 50 crossings of 200 alerts.
      for (let i = 0; flood && !stop; i++) {
        await inject(Array.from({ length: 10 }, (_, k) => ({ symbol: 'FLOOD', price: (i * 10 + k) % 2 === 0 ? 99 : 101 })));
        await sleep(100);
      }
    })();
    const before = await metric(http, 'tickstream_alerts_fired_total');
    let crossings = 0;
    // CALM crosses up every 500 ms (each price unique, so a message names its injection).
    for (let k = 1; performance.now() < end; k++) {
      const price = 101 + k / 1000;
      pending.set(price, performance.now());
      await inject([{ symbol: 'CALM', price }]);
      crossings++;
      await sleep(250);
      await inject([{ symbol: 'CALM', price: 99 }]);
      await sleep(250);
    }
    stop = true;
    await flooding;
    await sleep(2_000);
    const fired = (await metric(http, 'tickstream_alerts_fired_total')) - before;
    const deferred = await metric(http, 'tickstream_alert_fires_deferred_total');
    for (const ws of sockets) ws.close();
    latencies.sort((a, b) => a - b);
    const expected = crossings * CALM_USERS;
    return { label, calmMessages: `${latencies.length}/${expected}`, p50: pct(latencies, 50).toFixed(1), p99: pct(latencies, 99).toFixed(1), max: (latencies.at(-1) ?? NaN).toFixed(0), firesPerSecond: Math.round(fired / SECONDS), flooderFires, deferred };
  } finally {
    child.kill('SIGTERM');
  }
}

const rows = [
  await phase('no flood', {}, false),
  await phase('flood, budget on (defaults)', {}, true),
  await phase('flood, budget lifted', { ALERTS_USER_FIRE_RATE: '1000000', ALERTS_USER_FIRE_BURST: '10000000' }, true),
];
console.log(`\nAlert latency of ${CALM_USERS} ordinary users (injection → message, ms) over ${SECONDS} s per phase\n`);
console.log('| Phase | Calm messages | p50 | p99 | max | Fires/s (all) | Flooder fires | Deferred |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.label} | ${r.calmMessages} | ${r.p50} | ${r.p99} | ${r.max} | ${r.firesPerSecond} | ${r.flooderFires} | ${r.deferred} |`);
process.exit(0);
