#!/usr/bin/env node
// Compiles the server (dist/) only when it is missing or older than a source, so `npm start` on an
// unchanged checkout starts at once instead of running tsc (minutes on a busy machine). A stamp
// written after a successful build marks the time; `--force` always builds.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const stamp = join(root, 'dist', '.built');

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), stat.mtimeMs);
}

const sources = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'].map((p) => join(root, p));
const stale = !existsSync(stamp) || !existsSync(join(root, 'dist', 'cli.js')) || sources.some((s) => newest(s) > statSync(stamp).mtimeMs);
if (!stale && !process.argv.includes('--force')) process.exit(0);

let tsc;
try {
  tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
} catch {
  if (existsSync(join(root, 'dist', 'cli.js'))) process.exit(0); // production install: dist/ ships built
  console.error('tickstream: dist/ is not built and typescript is not installed (`npm install`).');
  process.exit(1);
}
const startedAt = Date.now();
process.stderr.write('tickstream: compiling the server (dist/)…\n');
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
if (result.status !== 0) process.exit(result.status ?? 1);
// The stamp carries the time the build began: a source saved during the build is seen as newer.
writeFileSync(stamp, '');
utimesSync(stamp, startedAt / 1000, startedAt / 1000);
