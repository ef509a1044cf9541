// @ts-check
// Start-up and idle cost of the embedded default (bench/startup.mjs, issue 17): start line, first
// tick, /ready, the longest event-loop stall before listening and while serving, resident memory
// at idle; on a fresh DATA_DIR, then restarted on it.
import { cpus } from 'node:os';
import { f0, f1 } from '../../lib/report.mjs';
import { ROOT } from '../context.mjs';
import { runJsonChild } from './child-json.mjs';

/** @param {import('../context.mjs').BenchRun} run */
export async function sectionStartup({ options, log }) {
  const out = await runJsonChild({ core: `0-${cpus().length - 1}`, script: `${ROOT}bench/startup.mjs`, args: ['--idle-seconds', options.quick ? '5' : '10'], what: 'startup' });
  if (!out.error) log(`startup: ${startupLine(out)}`);
  return out;
}

/** @param {any} s one start's figures */
function oneStart(s) {
  if (s.error) return s.error;
  return `start line ${f0(s.startLineMs)} ms, first tick on /ws ${f0(s.firstTickMs)} ms, /ready 200 ${f0(s.readyMs)} ms; longest event-loop stall ${f0(s.eventLoopMaxStallBeforeListenMs)} ms before listening, ${f0(s.eventLoopMaxStallServingMs)} ms from then until ready; resident memory after ${s.idleSeconds} s idle ${f1(s.idleRssMiB)} MiB`;
}

/** @param {any} s the startup section's result */
export function startupLine(s) {
  if (s.error) return s.error;
  const restart = s.restart ? ` Restarted on that DATA_DIR: ${oneStart(s.restart)}.` : '';
  return `From the spawn of \`node dist/cli.js start\` (every role, embedded database on a fresh DATA_DIR): ${oneStart(s)}.${restart}`;
}
