// @ts-check
// The single-process benchmarks (bench/ingest.mjs, bench/analytics.mjs) run as pinned children
// and end with one JSON line.
import { spawnPinned } from '../../lib/proc.mjs';

/**
 * @param {{ core: string, script: string, args: string[], what: string }} o
 * @returns {Promise<any>} the child's last stdout line parsed, or `{ error }`
 */
export async function runJsonChild({ core, script, args, what }) {
  const child = spawnPinned({ core, cmd: process.execPath, args: [script, ...args], stdout: 'pipe' });
  let stdout = '';
  child.stdout?.on('data', (/** @type {Buffer} */ d) => (stdout += d.toString()));
  await child.exited;
  try {
    return JSON.parse(stdout.trim().split('\n').pop() ?? '');
  } catch {
    return { error: `${what} benchmark failed: ${(child.stderrText || stdout || '').slice(-500)}` };
  }
}
