// @ts-check
// S1 fan-out and latency at every client count, the tickstream option variants beside it, and
// S3: 10,000 clients with a freshness limit. Every server gets the same clients and the same load.
import { fanout } from '../../lib/fanout.mjs';
import { ms } from '../../lib/report.mjs';
import { SERVER_NAMES } from '../../lib/servers.mjs';
import { runLine } from '../run-line.mjs';

/** @param {import('../context.mjs').BenchRun} run */
export async function sectionFanout({ P, options, symbols, subscriptionsFor, results, log }) {
  /** @type {any[]} */
  const runs = (results.sections.fanout = []);
  for (const n of P.fanoutClients) {
    const subscriptions = subscriptionsFor(n);
    for (const kind of P.fanoutServers) {
      const measureMs = n === 1000 && !options.quick ? 10_000 : P.measureMs;
      const r = await fanout({ connectDeadlineMs: P.connectDeadlineMs, kind, label: SERVER_NAMES[kind], symbols, subscriptions, rate: P.s1Rate, warmMs: P.warmMs, measureMs, deferSubscribe: n > 1000 });
      log(runLine(r));
      runs.push(r);
    }
  }
  return runs;
}

/** @param {import('../context.mjs').BenchRun} run */
export async function sectionVariants({ P, options, symbols, subscriptionsFor, results, log }) {
  const subscriptions = subscriptionsFor(1000);
  /** @type {any[]} */
  const runs = (results.sections.variants = []);
  for (const kind of options.servers.filter((s) => s !== 'b2')) {
    // The reference pair again, so the variants compare against numbers from minutes apart at most.
    const r = await fanout({ connectDeadlineMs: P.connectDeadlineMs, kind, label: SERVER_NAMES[kind], symbols, subscriptions, rate: P.s1Rate, warmMs: P.warmMs, measureMs: P.measureMs });
    log(runLine(r));
    runs.push(r);
  }
  for (const v of P.variants) {
    const r = await fanout({ connectDeadlineMs: P.connectDeadlineMs, kind: 'tickstream', label: v.label, symbols, subscriptions, rate: P.s1Rate, warmMs: P.warmMs, measureMs: P.measureMs, batch: v.batch, env: v.env });
    log(runLine(r));
    runs.push(r);
  }
  return runs;
}

/** @param {import('../context.mjs').BenchRun} run */
export async function sectionS3({ P, symbols, subscriptionsFor, results, log }) {
  const subscriptions = subscriptionsFor(P.s3Clients);
  /** @type {any[]} */
  const runs = (results.sections.s3 = []);
  for (const kind of P.fanoutServers) {
    const r = await fanout({ connectDeadlineMs: P.connectDeadlineMs, kind, label: SERVER_NAMES[kind], symbols, subscriptions, rate: P.s3Rate, warmMs: P.s3WarmMs, measureMs: P.s3MeasureMs, staleLimitMs: P.s3StaleMs, deferSubscribe: true });
    log(runLine(r), `staleness p99.9 ${ms(r.stalenessMs?.p999)} max ${ms(r.stalenessMs?.max)} ms, >${P.s3StaleMs} ms: ${r.stalenessMs?.over}, starved ${r.starvedPairs}, RSS ${JSON.stringify(r.rssMB)}`);
    runs.push(r);
  }
  return runs;
}
