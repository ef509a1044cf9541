// @ts-check
// Tracing's cost on the tick path (bench/tracing.mjs): off, on with sampling ratio 0, and on with
// 1 % of ticks exported over OTLP, on one core.
import { f0, f2 } from '../../lib/report.mjs';
import { ROOT } from '../context.mjs';
import { runJsonChild } from './child-json.mjs';

/** The settings bench/tracing.mjs runs, by result key. */
export const TRACING_SETTINGS = { off: 'off (SDK not loaded)', ratio0: 'on, sampling ratio 0', ratio001: 'on, sampling ratio 0.01, OTLP/protobuf export' };

/** @param {import('../context.mjs').BenchRun} run */
export async function sectionTracing({ options, log }) {
  const out = await runJsonChild({ core: '0', script: `${ROOT}bench/tracing.mjs`, args: ['--ticks', String(options.quick ? 100_000 : 500_000), '--symbols', '100'], what: 'tracing' });
  for (const [key, label] of Object.entries(TRACING_SETTINGS)) if (out[key]) log(`tracing ${label}: ${f0(out[key].perSecond)} ticks/s, ${f2(out[key].cpuMicrosPerTick)} µs CPU per tick`);
  return out;
}
