// @ts-check
// The analytics role's batch handler with the full indicator set on 100 symbols × 4 intervals
// (bench/analytics.mjs), on one core.
import { f0, f2 } from '../../lib/report.mjs';
import { ROOT } from '../context.mjs';
import { runJsonChild } from './child-json.mjs';

/** @param {import('../context.mjs').BenchRun} run */
export async function sectionAnalytics({ options, log }) {
  const out = await runJsonChild({ core: '0', script: `${ROOT}bench/analytics.mjs`, args: ['--ticks', String(options.quick ? 20_000 : 200_000), '--symbols', '100'], what: 'analytics' });
  if (!out.error) log(`analytics: ${f0(out.perSecond)} ticks/s, ${f2(out.cpuMicrosPerTick)} µs CPU per tick (${out.symbols} symbols × ${out.intervals} intervals × ${out.indicators} indicators)`);
  return out;
}
