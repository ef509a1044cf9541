#!/usr/bin/env node
// `npm run chaos`: the reliability suite at full scale. Builds the server, runs test/chaos (plus the
// standing reliability tests that live elsewhere) with CHAOS_SCALE=full, one file at a time so the
// figures of one scenario are not bent by another's load, collects every scenario's figures
// (test/support/chaos.ts recordFigures → CHAOS_RESULTS) and writes docs/chaos-results.md.
// Bounded: each scenario's size is fixed by its own `scaled(small, full)` and its test timeout, and
// the whole run is stopped after CHAOS_TIMEOUT_MS (default 40 minutes).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const output = join(root, 'docs', 'chaos-results.md');
const timeoutMs = Number(process.env.CHAOS_TIMEOUT_MS ?? 40 * 60_000);
/** Reliability tests kept beside the code they test, run here too (the results name them). */
const standing = ['test/e2e/refused-upgrade-reset.test.ts', 'test/e2e/auth-matrix.test.ts'].filter((f) => existsSync(join(root, f)));

const work = mkdtempSync(join(tmpdir(), 'tickstream-chaos-'));
const figuresFile = join(work, 'figures.jsonl');
const reportFile = join(work, 'vitest.json');
writeFileSync(figuresFile, '');

const machine = {
  cpus: `${cpus().length} × ${cpus()[0]?.model?.trim() ?? 'unknown'}`,
  memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB (${(freemem() / 2 ** 30).toFixed(1)} GiB free at start)`,
  load: loadavg()
    .map((l) => l.toFixed(2))
    .join(' / '),
  os: `${platform()} ${release()}`,
  node: process.version,
};
const commit = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
})();

console.log('tickstream chaos: building the server…');
execFileSync(process.execPath, [join(root, 'scripts', 'ensure-server-built.mjs'), '--force'], { cwd: root, stdio: 'inherit' });

const started = new Date();
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const child = spawn(
  process.execPath,
  [vitest, 'run', 'test/chaos', ...standing, '--fileParallelism=false', '--reporter=default', '--reporter=json', `--outputFile.json=${reportFile}`],
  { cwd: root, stdio: 'inherit', env: { ...process.env, CHAOS_SCALE: 'full', CHAOS_RESULTS: figuresFile } },
);
const timer = setTimeout(() => {
  console.error(`tickstream chaos: stopped after ${timeoutMs} ms (CHAOS_TIMEOUT_MS)`);
  child.kill('SIGTERM');
}, timeoutMs);
const code = await new Promise((resolve) => child.once('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
clearTimeout(timer);
const finished = new Date();

const figures = readFileSync(figuresFile, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line));
const report = existsSync(reportFile) ? JSON.parse(readFileSync(reportFile, 'utf8')) : { testResults: [] };
rmSync(work, { recursive: true, force: true });

const cell = (value) => String(value).replace(/\|/g, '\\|');
const lines = [
  '# Reliability suite results',
  '',
  'Written by `npm run chaos` (scripts/chaos.mjs): every scenario of `test/chaos` at full scale',
  '(`CHAOS_SCALE=full`), one file at a time, plus the standing reliability tests kept elsewhere.',
  'The same scenarios run small inside `npm test`. What each scenario promises is in its test file.',
  '',
  `- Run: ${started.toISOString()} → ${finished.toISOString()} (${Math.round((finished - started) / 1000)} s), commit \`${commit}\``,
  `- Result: ${code === 0 ? 'every test passed' : `**failed** (vitest exit code ${code})`}`,
  `- Machine: ${machine.cpus}; ${machine.memory}; load ${machine.load} at start; ${machine.os}; Node.js ${machine.node}`,
  '- Services: Redis, Kafka and the other engines on 127.0.0.1 as the tests configure them (shared with whatever else ran).',
  '',
  '## Test files',
  '',
  '| File | Tests | Passed | Failed | Seconds |',
  '| --- | ---: | ---: | ---: | ---: |',
];
for (const file of report.testResults ?? []) {
  const tests = file.assertionResults ?? [];
  const passed = tests.filter((t) => t.status === 'passed').length;
  const seconds = file.endTime && file.startTime ? ((file.endTime - file.startTime) / 1000).toFixed(0) : '';
  lines.push(`| \`${relative(root, file.name)}\` | ${tests.length} | ${passed} | ${tests.length - passed} | ${seconds} |`);
}
lines.push('', '## Figures per scenario', '');
if (figures.length === 0) lines.push('No scenario recorded figures (did the run start?).');
for (const { scenario, figures: values, at } of figures) {
  lines.push(`### ${scenario}`, '', `Recorded ${at}.`, '', '| Figure | Value |', '| --- | ---: |');
  for (const [key, value] of Object.entries(values)) lines.push(`| ${cell(key)} | ${cell(value)} |`);
  lines.push('');
}
writeFileSync(output, `${lines.join('\n').trimEnd()}\n`);
console.log(`tickstream chaos: ${figures.length} scenario figure sets written to ${relative(root, output)}`);
process.exit(code);
