#!/usr/bin/env node
// @ts-check
// The dashboard in real Chromium at several tick rates (issue #18): main-thread busy share, frames
// per second and tick-to-paint latency, beside a blank page holding the same WebSocket stream in
// the same run (the baseline: what the browser costs without the dashboard).
//
//   npm run build && node bench/browser.mjs [--rates 50,500,2000] [--seconds 10]
//
// Busy share comes from Chromium's own TaskDuration (CDP Performance.getMetrics): the time the
// renderer's main thread spent running tasks, over wall time. Tick-to-paint = the animation frame
// after a card shows a tick, minus the tick's `ts` (server and browser share this machine's clock).
// Writes bench/results/browser-latest.md and .json.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const argv = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const RATES = String(arg('rates', '50,500,2000')).split(',').map(Number);
const SECONDS = Number(arg('seconds', '10'));
const WARM_MS = 3000;
const SYMBOLS = 'AAPL,MSFT,GOOGL,AMZN,TSLA,NVDA,META,NFLX';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

/** The real CLI on a free port, generating `rate` ticks per second. */
function startServer(rate) {
  const child = spawn(process.execPath, [`${ROOT}dist/cli.js`, 'start'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_FORMAT: 'json', LOG_LEVEL: 'info', DATA_DIR: 'memory', SYMBOLS, TICK_RATE: String(rate), EXIT_WITH_PARENT: 'true' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start')), 60_000);
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
    createInterface({ input: /** @type {import('node:stream').Readable} */ (child.stdout) }).on('line', (line) => {
      try {
        const entry = JSON.parse(line);
        if (entry.msg === 'tickstream started') {
          clearTimeout(timer);
          resolve({ url: `http://127.0.0.1:${new URL(entry.url).port}`, stop: () => child.kill('SIGTERM') });
        }
      } catch {
        // not a log line
      }
    });
  });
}

/** Installed in the page before its scripts: frames counted, and each card update timed to its paint. */
const PROBE = `
  window.__probe = { frames: 0, paints: [] };
  const frame = () => { window.__probe.frames++; requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
  new MutationObserver((records) => {
    const ts = [];
    for (const r of records) { const v = Number(r.target.getAttribute('data-ts')); if (v > 0) ts.push(v); }
    if (ts.length) requestAnimationFrame(() => { const now = Date.now(); for (const t of ts) window.__probe.paints.push(now - t); });
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-ts'] });
`;

/** A blank page with only the socket: receipt latency is its "paint". */
const BLANK = (ws) => `
  window.__probe = { frames: 0, paints: [] };
  const frame = () => { window.__probe.frames++; requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
  const socket = new WebSocket(${JSON.stringify(ws)});
  socket.onmessage = (e) => { const m = JSON.parse(e.data); const now = Date.now();
    for (const t of m.type === 'ticks' ? m.data : [m]) if (t.ts) window.__probe.paints.push(now - t.ts); };
  socket.onclose = (e) => { window.__probe.closed = e.code + ' ' + e.reason; };
`;

const percentile = (values, p) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
};

async function measure(context, kind, server) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  if (kind === 'dashboard') {
    await page.addInitScript(PROBE);
    await page.goto(server.url);
    await page.getByRole('status', { name: 'Connection: Live' }).waitFor({ timeout: 60_000 });
  } else {
    await page.goto(`${server.url}/health`);
    await page.evaluate(BLANK(`${server.url.replace('http', 'ws')}/ws?symbols=${SYMBOLS.split(',').slice(0, 6).join(',')}&batch=1`));
  }
  await page.waitForTimeout(WARM_MS);
  const metric = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const before = await metric();
  await page.evaluate('window.__probe.frames = 0; window.__probe.paints = []');
  const started = Date.now();
  await page.waitForTimeout(SECONDS * 1000);
  const after = await metric();
  const elapsed = (Date.now() - started) / 1000;
  const probe = await page.evaluate('window.__probe');
  if (probe.closed) console.error(`${kind}: socket closed ${probe.closed}`);
  await page.close();
  return {
    kind,
    busyShare: (after.TaskDuration - before.TaskDuration) / elapsed,
    fps: probe.frames / elapsed,
    p50: percentile(probe.paints, 0.5),
    p99: percentile(probe.paints, 0.99),
    samples: probe.paints.length,
  };
}

const context = await chromium.launchPersistentContext('', { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1440, height: 900 } });
const rows = [];
try {
  for (const rate of RATES) {
    const server = await startServer(rate);
    try {
      for (const kind of ['blank page (baseline)', 'dashboard']) rows.push({ rate, ...(await measure(context, kind === 'dashboard' ? 'dashboard' : 'blank', server)) });
    } finally {
      server.stop();
    }
  }
} finally {
  await context.close();
}

const f = (v, d = 0) => (Number.isFinite(v) ? v.toFixed(d) : '—');
const md = [
  `# Dashboard in Chromium (${new Date().toISOString()})`,
  '',
  `Command: \`node bench/browser.mjs --rates ${RATES.join(',')} --seconds ${SECONDS}\`. Load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on this machine. Headless Chromium, software rendering, 1440×900, default watchlist of 6 of ${SYMBOLS.split(',').length} symbols (the server generates the rate over all of them).`,
  '',
  '| ticks/s | page | main thread busy | frames/s | tick→paint p50 | p99 | samples |',
  '|---:|---|---:|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.rate} | ${r.kind} | ${f(r.busyShare * 100)} % | ${f(r.fps)} | ${f(r.p50)} ms | ${f(r.p99)} ms | ${r.samples} |`),
  '',
  'Aim (issue #18): under 30 % busy and under 50 ms tick-to-paint at 500 ticks/s. The blank page shows what the same socket costs without the dashboard; its "paint" is receipt.',
  '',
].join('\n');
mkdirSync(`${ROOT}bench/results`, { recursive: true });
writeFileSync(`${ROOT}bench/results/browser-latest.md`, md);
writeFileSync(`${ROOT}bench/results/browser-latest.json`, JSON.stringify({ rows, rates: RATES, seconds: SECONDS }, null, 2));
console.log(md);
