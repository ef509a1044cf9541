// @ts-check
// One Markdown table per section, for the console and bench/results/latest.md.
import { f0, f1, f2, k, ms, notes, pct, ratio, table } from '../lib/report.mjs';
import { SERVER_NAMES } from '../lib/servers.mjs';
import { TRACING_SETTINGS } from './sections/tracing.mjs';

/** @typedef {any} RunResult a result of lib/fanout.mjs, or of a section's own measurement */

/** @param {RunResult[]} runs */
export function fanoutTable(runs) {
  return table(
    ['Server', 'Clients', 'Ticks/s', 'Made/s', 'Offered/s', 'Delivered/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'Missing', 'Conflated', 'CPU s / M deliveries', 'Server cores', 'ELD p99 ms', 'Notes'],
    runs.map((r) => [
      r.label,
      f0(r.healthyClients ?? r.clients),
      f0(r.rate),
      k(r.sourceTicksPerSecond),
      k(r.healthyOfferedPerSecond ?? r.offeredPerSecond),
      k(r.deliveredPerSecond),
      ms(r.latencyMs?.p50),
      ms(r.latencyMs?.p99),
      ms(r.latencyMs?.p999),
      ms(r.latencyMs?.max),
      pct(r.missingRatio),
      f0(r.conflated),
      f2(r.cpuSecondsPerMillion),
      f2(r.serverCores),
      ms(r.eldP99Ms),
      notes(r),
    ]),
  );
}

/** tickstream against each baseline at the same client count and load. @param {RunResult[]} runs */
export function ratioTable(runs) {
  const rows = [];
  for (const n of [...new Set(runs.map((r) => r.clients))]) {
    const at = (/** @type {string} */ kind) => runs.find((r) => r.clients === n && r.kind === kind && !r.batch && Object.keys(r.env ?? {}).length === 0);
    const t = at('tickstream');
    for (const b of /** @type {const} */ (['b1', 'b2'])) {
      const base = at(b);
      if (!t || !base) continue;
      const same = t.healthyClients === base.healthyClients;
      rows.push([
        f0(n),
        `tickstream ÷ ${SERVER_NAMES[b]}`,
        ratio(t.deliveredPerSecond, base.deliveredPerSecond),
        ratio(t.latencyMs?.p99, base.latencyMs?.p99),
        ratio(t.cpuSecondsPerMillion, base.cpuSecondsPerMillion),
        same ? '' : `not the same load: ${f0(t.healthyClients)} vs ${f0(base.healthyClients)} clients connected`,
      ]);
    }
  }
  return table(['Clients', 'Ratio', 'Throughput', 'p99 latency', 'CPU per delivery', 'Notes'], rows);
}

/** @param {Record<string, { steps: RunResult[] }>} s2 */
export function s2Table(s2) {
  const rows = [];
  for (const [kind, v] of Object.entries(s2)) {
    for (const st of v.steps) {
      rows.push([serverName(kind), f0(st.rate), k(st.sourceTicksPerSecond), k(st.healthyOfferedPerSecond), k(st.deliveredPerSecond), ms(st.latencyMs?.p99), pct(st.missingRatio), f2(st.serverCores), st.sustained ? 'yes' : 'no', notes(st)]);
    }
  }
  return table(['Server', 'Ticks/s', 'Made/s', 'Offered/s', 'Delivered/s', 'p99 ms', 'Missing', 'Server cores', 'Sustained', 'Notes'], rows);
}

/** @param {RunResult[]} runs @param {number} staleMs */
export function s3Table(runs, staleMs) {
  return table(
    ['Server', 'Up', 'Clients', 'Made/s', 'Delivered/s', 'p99 ms', 'Staleness p99.9 ms', 'Staleness max ms', `> ${staleMs} ms`, 'Starved pairs', 'Conflated', 'Slow closes', 'RSS first → max → last MB', 'Notes'],
    runs.map((r) => [
      r.label,
      r.serverAlive ? 'yes' : 'no',
      f0(r.healthyClients),
      k(r.sourceTicksPerSecond),
      k(r.deliveredPerSecond),
      ms(r.latencyMs?.p99),
      ms(r.stalenessMs?.p999),
      ms(r.stalenessMs?.max),
      f0(r.stalenessMs?.over),
      f0(r.starvedPairs),
      f0(r.conflated),
      f0(r.slowCloses),
      rssPath(r),
      notes(r),
    ]),
  );
}

/** @param {RunResult[]} runs */
export function slowTable(runs) {
  return table(
    ['Run', 'Healthy clients', 'Healthy delivered/s', 'Healthy p99 ms', 'p99.9 ms', 'Conflated', 'Slow closes', 'RSS first → max → last MB', 'RSS slope, 2nd half', 'Notes'],
    runs.map((r) => [
      r.label,
      f0(r.healthyClients),
      k(r.deliveredPerSecond),
      ms(r.latencyMs?.p99),
      ms(r.latencyMs?.p999),
      f0(r.conflated),
      f0(r.slowCloses),
      rssPath(r),
      r.rssMB ? `${f2(r.rssMB.secondHalfSlopeMBps)} MB/s` : '–',
      notes(r),
    ]),
  );
}

/** @param {RunResult[]} runs */
export function memoryTable(runs) {
  return table(
    ['Server', 'Idle connections', 'RSS none → half → all MB', 'Per connection KiB (2nd half)', 'Per connection KiB (overall)', 'Notes'],
    runs.map((r) => [
      r.label,
      f0(r.connect?.ok),
      `${f1(r.rssBefore / 1e6)} → ${f1(r.rssHalf / 1e6)} → ${f1(r.rssAfter / 1e6)}`,
      f2(r.bytesPerConnection / 1024),
      f2(r.bytesPerConnectionOverall / 1024),
      r.error ?? (r.connect?.failed ? `${r.connect.failed} failed` : ''),
    ]),
  );
}

/** @param {any} ing the ingest section's result */
export function ingestTable(ing) {
  // The bench process's CPU per tick (the generator thread included while it runs alongside):
  // steadier than ticks/s on a shared machine, where the wall clock also counts waiting for a core.
  const cpu = (/** @type {any} */ r) => f1((r.cpuSeconds / r.ticks) * 1e6);
  const rows = [];
  if (ing.memory) rows.push(['generator → memory log → processor → memory store, one process', f0(ing.memory.ticks), f2(ing.memory.seconds), f0(ing.memory.perSecond), cpu(ing.memory), `generator alone ${f0(ing.memory.generatorPerSecond)}/s; batches ≤ ${ing.memory.maxBatch}; ${ing.memory.symbols} symbols`]);
  if (ing.redis) {
    const redisNotes = (/** @type {any} */ r) => `Redis CPU ${f2(r.redisCpuSeconds)} s; batches ≤ ${r.maxBatch}; ${r.symbols} symbols; pub/sub ${r.pubsub}; ${r.keysDeleted} keys deleted`;
    if (ing.redis.perSecond) rows.push(['generator → Redis Streams → processor → Redis store, all running', f0(ing.redis.ticks), f2(ing.redis.seconds), f0(ing.redis.perSecond), cpu(ing.redis), `generator appends ${f0(ing.redis.appendPerSecond)}/s; ${redisNotes(ing.redis)}`]);
    if (ing.redisBacklog?.perSecond) rows.push(['Redis Streams backlog → one processor → Redis store', f0(ing.redisBacklog.ticks), f2(ing.redisBacklog.seconds), f0(ing.redisBacklog.perSecond), cpu(ing.redisBacklog), redisNotes(ing.redisBacklog)]);
    else rows.push(['Redis Streams → processor → Redis store', '–', '–', '–', '–', ing.redis.skipped ?? ing.redis.error]);
  }
  if (ing.kafka) {
    const kafkaNotes = (/** @type {any} */ r) => `8 partitions, acks=all, idempotent producer, ≤ 256 ticks per Kafka record; Redis CPU ${f2(r.redisCpuSeconds)} s; batches ≤ ${r.maxBatch}; ${r.symbols} symbols`;
    if (ing.kafka.perSecond) rows.push(['generator → Kafka → processor → Redis store, all running', f0(ing.kafka.ticks), f2(ing.kafka.seconds), f0(ing.kafka.perSecond), cpu(ing.kafka), `generator appends ${f0(ing.kafka.appendPerSecond)}/s; ${kafkaNotes(ing.kafka)}`]);
    else rows.push(['Kafka → processor → Redis store', '–', '–', '–', '–', ing.kafka.skipped ?? ing.kafka.error]);
    if (ing.kafkaBacklog?.perSecond) rows.push(['Kafka backlog → one processor → Redis store', f0(ing.kafkaBacklog.ticks), f2(ing.kafkaBacklog.seconds), f0(ing.kafkaBacklog.perSecond), cpu(ing.kafkaBacklog), kafkaNotes(ing.kafkaBacklog)]);
  }
  if (ing.error) rows.push(['ingest', '–', '–', '–', '–', ing.error]);
  return table(['Path', 'Ticks', 'Seconds', 'Ticks/s', 'CPU µs/tick', 'Notes'], rows);
}

/** @param {string} kind */
export const serverName = (kind) => SERVER_NAMES[/** @type {keyof typeof SERVER_NAMES} */ (kind)] ?? kind;

/** @param {RunResult} r */
const rssPath = (r) => (r.rssMB ? `${f0(r.rssMB.first)} → ${f0(r.rssMB.max)} → ${f0(r.rssMB.last)}` : '–');

/** @param {any} t the tracing section's result */
export function tracingTable(t) {
  const rows = Object.entries(TRACING_SETTINGS)
    .filter(([key]) => t[key])
    .map(([key, label]) => [label, f0(t[key].ticks), f0(t[key].perSecond), f2(t[key].cpuMicrosPerTick)]);
  return table(['Tracing', 'Ticks', 'Ticks/s', 'CPU µs per tick'], rows);
}
