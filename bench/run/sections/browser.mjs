// @ts-check
// The dashboard in real Chromium at 50, 500 and 2,000 ticks/s beside a blank page holding the same
// stream (bench/browser.mjs, issue 18): main-thread busy share, frames per second, tick-to-paint.
// Needs the built dashboard (`npm run build:web`) and Chromium at /usr/bin/chromium (CHROMIUM_PATH).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { ROOT } from '../context.mjs';

/** @param {import('../context.mjs').BenchRun} run */
export async function sectionBrowser({ options, log }) {
  if (!existsSync(`${ROOT}web/dist/index.html`)) return { skipped: 'the dashboard is not built (npm run build:web)' };
  const seconds = options.quick ? 5 : 10;
  const child = spawn(process.execPath, [`${ROOT}bench/browser.mjs`, '--rates', '50,500,2000', '--seconds', String(seconds)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (/** @type {Buffer} */ d) => (stderr += d.toString()));
  const code = await new Promise((resolve) => child.once('exit', resolve));
  if (code !== 0) return { error: `browser benchmark failed (${code}): ${stderr.slice(-500)}` };
  const out = JSON.parse(readFileSync(`${ROOT}bench/results/browser-latest.json`, 'utf8'));
  log('browser: see bench/results/browser-latest.md');
  return { ...out, markdown: readFileSync(`${ROOT}bench/results/browser-latest.md`, 'utf8') };
}
