#!/usr/bin/env node
// @ts-check
// tickstream benchmarks (issue #7): fan-out and latency, a rate ramp, 10k clients with
// conflation, slow consumers, memory per connection and ingest — each against baselines run in
// the same invocation, with the same clients and the same load. See bench/README.md.
//
//   npm run bench               full run (~15 min)
//   npm run bench -- --quick    1,000 clients only, no ramp (< 60 s after the build)
//   node bench/run.mjs --only fanout,s2 [--quick]      node bench/run.mjs --help
//
// The pieces: run/cli.mjs (options), run/parameters.mjs (the load), run/sections/ (what is
// measured), run/tables.mjs, run/targets.mjs, run/markdown.mjs and run/results.mjs (the report).
import { LOAD_CORE, pinSelf } from './lib/proc.mjs';
import { readOptions, USAGE } from './run/cli.mjs';
import { startRun } from './run/context.mjs';
import { FULL_SECTIONS, parameters, QUICK_SECTIONS } from './run/parameters.mjs';
import { writeResults } from './run/results.mjs';
import { sectionAnalytics } from './run/sections/analytics.mjs';
import { sectionBrowser } from './run/sections/browser.mjs';
import { sectionFanout, sectionS3, sectionVariants } from './run/sections/fanout.mjs';
import { sectionIngest } from './run/sections/ingest.mjs';
import { sectionMemory } from './run/sections/memory.mjs';
import { sectionOrders } from './run/sections/orders.mjs';
import { sectionS2 } from './run/sections/ramp.mjs';
import { sectionSlow } from './run/sections/slow.mjs';
import { sectionStartup } from './run/sections/startup.mjs';
import { sectionTracing } from './run/sections/tracing.mjs';

/** @type {Record<string, (run: import('./run/context.mjs').BenchRun) => Promise<unknown>>} */
const SECTIONS = { fanout: sectionFanout, variants: sectionVariants, s2: sectionS2, s3: sectionS3, slow: sectionSlow, memory: sectionMemory, ingest: sectionIngest, analytics: sectionAnalytics, tracing: sectionTracing, orders: sectionOrders, browser: sectionBrowser, startup: sectionStartup };

/** @type {import('./run/cli.mjs').BenchOptions} */
let options;
try {
  options = readOptions(process.argv.slice(2), process.env);
} catch (error) {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  process.exit(2);
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}
const sections = options.only ?? (options.quick ? QUICK_SECTIONS : FULL_SECTIONS);
const unknown = sections.filter((name) => !Object.hasOwn(SECTIONS, name));
if (unknown.length > 0) {
  console.error(`bench: unknown section ${unknown.join(', ')}; known: ${Object.keys(SECTIONS).join(', ')}`);
  process.exit(2);
}

const run = startRun(options, parameters(options));

let finished = false;
/** @param {number} code */
function finish(code) {
  if (finished) return;
  finished = true;
  writeResults(run);
  process.exit(code);
}

setTimeout(() => {
  console.error(`bench: hard time limit of ${options.timeLimitMs / 1000} s reached; writing what there is`);
  finish(1);
}, options.timeLimitMs).unref();

pinSelf(LOAD_CORE);
run.log(`tickstream bench, ${options.quick ? 'quick' : 'full'} mode: ${sections.join(', ')} · ${run.results.meta.taskset} · load average ${run.results.meta.loadavgAtStart}`);
for (const name of sections) {
  try {
    run.results.sections[name] = await SECTIONS[name](run);
  } catch (error) {
    console.error(`bench: section ${name} failed:`, error);
    run.results.sections[`${name}Error`] = error instanceof Error ? String(error.stack ?? error) : String(error);
  }
}
finish(0);
