// @ts-check
// The end of a run, normal or cut short: targets judged, Markdown printed, JSON and Markdown written.
import { mkdirSync, writeFileSync } from 'node:fs';
import { ROOT } from './context.mjs';
import { markdown } from './markdown.mjs';
import { targets } from './targets.mjs';

/**
 * Prints the report and writes bench/results/<time>-<mode>.json, latest.json and latest.md.
 * @param {import('./context.mjs').BenchRun} run
 */
export function writeResults(run) {
  const { results } = run;
  targets(run);
  results.meta.wallSeconds = (Date.now() - run.startedAt) / 1000;
  const md = markdown(run);
  console.log(`\n${md}`);
  const dir = `${ROOT}bench/results`;
  mkdirSync(dir, { recursive: true });
  const stamp = results.meta.date.replace(/[:.]/g, '-');
  const json = JSON.stringify(results, null, 1);
  writeFileSync(`${dir}/${stamp}-${results.meta.mode}.json`, json);
  writeFileSync(`${dir}/latest.json`, json);
  writeFileSync(`${dir}/latest.md`, md);
  console.log(`written: bench/results/${stamp}-${results.meta.mode}.json, latest.json, latest.md`);
}
