#!/usr/bin/env node
// Builds the dashboard (web/dist) when it is missing or older than any of its sources, so
// `npm start` on a fresh clone serves it without another command. `--force` always builds.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = dirname(dirname(fileURLToPath(import.meta.url)));
const root = dirname(web);
const built = join(web, 'dist', 'index.html');

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), stat.mtimeMs);
}

const sources = [join(web, 'src'), join(root, 'src', 'protocol'), join(root, 'src', 'client'), join(root, 'src', 'domain'), join(web, 'public'), join(web, 'index.html'), join(web, 'vite.config.ts'), join(root, 'package-lock.json')];
const stale = !existsSync(built) || sources.some((s) => newest(s) > statSync(built).mtimeMs);
if (!stale && !process.argv.includes('--force')) process.exit(0);

let vite;
try {
  vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
} catch {
  console.error('tickstream: the dashboard is not built and vite is not installed (install dev dependencies: `npm install`); serving without it.');
  process.exit(0);
}
process.stderr.write('tickstream: building the dashboard (web/dist)…\n');
const result = spawnSync(process.execPath, [vite, 'build', '--config', join(web, 'vite.config.ts'), '--logLevel', 'warn'], {
  stdio: 'inherit',
  cwd: root,
  // A test runner's NODE_ENV=test would otherwise make Vite bundle React's development build.
  env: { ...process.env, NODE_ENV: 'production' },
});
process.exit(result.status ?? 1);
