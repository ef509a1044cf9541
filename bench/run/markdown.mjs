// @ts-check
// The whole run as Markdown: machine, method, targets, then one table per section that ran.
import { f0, f2, k } from '../lib/report.mjs';
import { fanoutTable, ingestTable, memoryTable, ratioTable, s2Table, s3Table, serverName, slowTable, tracingTable } from './tables.mjs';
import { ordersTable } from './sections/orders.mjs';
import { startupLine } from './sections/startup.mjs';
import { targets } from './targets.mjs';

/** @param {import('./context.mjs').BenchRun} run */
export function markdown(run) {
  const { P, options, results, startedAt } = run;
  const m = results.meta;
  const S = results.sections;
  const parts = [
    `# tickstream benchmark results (${m.mode})`,
    '',
    `${m.date} · Node ${m.node} · ${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB · Linux ${m.kernel} · ${m.taskset} · load average at start ${m.loadavgAtStart} · commit ${m.commit}`,
    '',
    ...(Number(m.loadavgAtStart.split(' ')[0]) > m.cores
      ? [`**The machine was busy** (load average ${m.loadavgAtStart} on ${m.cores} cores at the start): absolute numbers are unreliable; only same-run ratios mean much, and only roughly.`, '']
      : []),
    `Command: \`npm run bench${options.quick ? ' -- --quick' : ''}\`${options.only ? ` (only ${options.only.join(',')})` : ''}. Each client subscribes to ${P.perClient} of ${P.symbols} symbols (Zipf s=${P.zipf} popularity); ticks are produced open-loop, symbols drawn uniformly. Latency = client receipt − tick \`ts\`. Same clients, same load, same run for every server. See bench/README.md for method and caveats.`,
    '',
  ];
  if (results.targets?.length) parts.push('## Targets', '', targets(run), '');
  if (S.fanout) parts.push(`## Fan-out and latency (${P.s1Rate} ticks/s)`, '', fanoutTable(S.fanout), '', ratioTable(S.fanout), '');
  if (S.variants) parts.push('## tickstream options at S1 load (1,000 clients, 500 ticks/s)', '', fanoutTable(S.variants), '');
  if (S.s2) {
    parts.push(`## S2 — rate ramp, 1,000 clients, until p99 > ${P.s2P99Ms} ms or loss`, '', s2Table(S.s2), '');
    parts.push(Object.entries(S.s2).map(([kind, v]) => `- ${serverName(kind)}: sustains ${f0(v.sustainedRate)} ticks/s (${k(v.sustainedDeliveries)} deliveries/s)${v.failedAt ? `, fails at ${f0(v.failedAt)}` : ''}`).join('\n'), '');
  }
  if (S.s3) parts.push(`## S3 — ${f0(P.s3Clients)} clients × ${P.perClient} symbols at ${f0(P.s3Rate)} ticks/s`, '', s3Table(S.s3, P.s3StaleMs), '');
  if (S.slow) {
    parts.push(`## Slow consumers — ${f0(P.slowClients)} clients at ${f0(P.slowRate)} ticks/s, 1% subscribed to everything and paused`, '', slowTable(S.slow), '');
    parts.push('Server RSS over time (seconds since the clients connected: MB):', '');
    for (const r of S.slow) if (r.rssSeries?.length) parts.push(`- ${r.label}: ${r.rssSeries.filter((/** @type {unknown} */ _, /** @type {number} */ i) => i % 3 === 0).map((/** @type {[number, number]} */ [t, mb]) => `${f0(t)}:${f0(mb)}`).join(' ')}`);
    parts.push('');
  }
  if (S.memory) parts.push('## Memory per idle connection', '', memoryTable(S.memory), '');
  if (S.ingest) {
    parts.push('## Ingest', '', ingestTable(S.ingest), '');
    const rb = S.ingest.redisBenchmark;
    if (rb) parts.push(rb.note ? `redis-benchmark: ${rb.note}` : `Reference, same machine (Redis itself, pipelined 16 deep):\n\n${rb.commands.map((/** @type {string} */ c) => `    ${c}`).join('\n')}\n\n${rb.lines.map((/** @type {string} */ l) => `    ${l}`).join('\n')}`, '');
  }
  if (S.analytics) {
    const a = S.analytics;
    parts.push('## Analytics role (one core)', '', a.error ?? `${f0(a.perSecond)} ticks/s, ${f2(a.cpuMicrosPerTick)} µs CPU per tick (${a.symbols} symbols × ${a.intervals} intervals × ${a.indicators} indicators)`, '');
  }
  if (S.orders) parts.push(`## Orders — submit → fill on the socket (${f0(S.orders.tickRate)} ticks/s over ${S.orders.symbols} symbols)`, '', ordersTable(S.orders), '');
  if (S.startup) parts.push('## Start-up and idle (embedded default)', '', startupLine(S.startup), '');
  if (S.browser) parts.push('## The dashboard in Chromium', '', S.browser.error ?? S.browser.skipped ?? S.browser.markdown.replace(/^# .*\n/, ''), '');
  if (S.tracing) parts.push('## Tracing on the tick path (generator → memory log → processor → memory store, one process, one core)', '', S.tracing.error ?? tracingTable(S.tracing), '');
  parts.push(`Wall time: ${f0((Date.now() - startedAt) / 1000)} s.`, '');
  return parts.join('\n');
}
