// @ts-check
// One fan-out run as one progress line on the console.
import { f0, f2, k, ms, notes, pct } from '../lib/report.mjs';

/** @param {any} r a result of lib/fanout.mjs */
export function runLine(r) {
  if (r.error) return `${r.label}: ERROR ${r.error}`;
  return (
    `${r.label.padEnd(26)} n=${r.clients} R=${r.rate} → ${k(r.deliveredPerSecond)}/s of ${k(r.healthyOfferedPerSecond)}/s, ` +
    `p50 ${ms(r.latencyMs.p50)} p99 ${ms(r.latencyMs.p99)} p99.9 ${ms(r.latencyMs.p999)} max ${ms(r.latencyMs.max)} ms, ` +
    `missing ${pct(r.missingRatio)}, conflated ${f0(r.conflated)}, CPU ${f2(r.cpuSecondsPerMillion)} s/M, srv ${f2(r.serverCores)} cores, ` +
    `ELD p99 ${ms(r.eldP99Ms)} ms, load ${f2(r.loadCores)} cores ${notes(r)}`
  );
}
