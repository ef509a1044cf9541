// @ts-check
// S2: 1,000 clients, the tick rate raised step by step until p99 passes the bound or ticks are lost.
import { fanout } from '../../lib/fanout.mjs';
import { SERVER_NAMES } from '../../lib/servers.mjs';
import { runLine } from '../run-line.mjs';

/** Keeps up: p99 within the bound, nothing skipped, the source made ≥ 90% of the rate and ≥ 90% of it was delivered. */
const sustains = (/** @type {any} */ r, /** @type {number} */ p99Ms) =>
  !r.error && r.latencyMs?.p99 != null && r.latencyMs.p99 <= p99Ms && r.missingRatio <= 0.001 && r.deliveredRatio >= 0.9 && r.sourceTicksPerSecond >= 0.9 * r.rate && !r.unexpectedCloses && !r.connect?.failed;

/** @param {import('../context.mjs').BenchRun} run */
export async function sectionS2({ P, options, symbols, subscriptionsFor, results, log, timeLeft }) {
  const subscriptions = subscriptionsFor(1000);
  /** @type {Record<string, { steps: any[], sustainedRate: number, sustainedDeliveries: number, failedAt: number | null }>} */
  const out = (results.sections.s2 = {});
  for (const kind of P.s2Servers) {
    /** @type {any[]} */
    const steps = [];
    const entry = { steps, sustainedRate: 0, sustainedDeliveries: 0, failedAt: /** @type {number | null} */ (null) };
    out[kind] = entry;
    for (const rate of P.s2Rates) {
      if (timeLeft() < 120_000) break;
      const env = kind === 'tickstream' ? options.tickstreamEnv : {};
      const r = await fanout({ connectDeadlineMs: P.connectDeadlineMs, kind, label: `${SERVER_NAMES[kind]} @${rate}/s`, symbols, subscriptions, rate, warmMs: P.s2WarmMs, measureMs: P.s2MeasureMs, env });
      r.sustained = sustains(r, P.s2P99Ms);
      log(runLine(r), r.sustained ? 'OK' : 'FAIL');
      delete r.rssSeries;
      steps.push(r);
      if (!r.sustained) {
        entry.failedAt = rate;
        break;
      }
      entry.sustainedRate = rate;
      entry.sustainedDeliveries = r.deliveredPerSecond;
    }
  }
  return out;
}
