// @ts-check
// The targets, judged from this run's sections.
import { f0, f2, ms, notes, ratio, table } from '../lib/report.mjs';

/**
 * Judges every target the run has figures for, records them in `results.targets`, and returns the table.
 * @param {import('./context.mjs').BenchRun} run
 */
export function targets({ P, results }) {
  const S = results.sections;
  /** @type {[string, boolean | null, string][]} */
  const out = [];
  const t1 = S.fanout?.find((/** @type {any} */ r) => r.kind === 'tickstream' && r.clients === 1000);
  const b1 = S.fanout?.find((/** @type {any} */ r) => r.kind === 'b1' && r.clients === 1000);
  if (t1 && b1 && !t1.error && !b1.error) {
    const p99ok = t1.latencyMs.p99 <= b1.latencyMs.p99;
    const cpuOk = t1.cpuSecondsPerMillion <= 1.2 * b1.cpuSecondsPerMillion;
    out.push(['S1 p99 ≤ B1 (1k clients, 500 ticks/s)', p99ok, `${ms(t1.latencyMs.p99)} ms vs ${ms(b1.latencyMs.p99)} ms`]);
    out.push(['S1 CPU per delivery ≤ 1.2 × B1', cpuOk, `${f2(t1.cpuSecondsPerMillion)} vs ${f2(b1.cpuSecondsPerMillion)} s/M (${ratio(t1.cpuSecondsPerMillion, b1.cpuSecondsPerMillion)})`]);
  }
  if (S.s2?.tickstream && S.s2?.b1) {
    const a = S.s2.tickstream.sustainedRate;
    const b = S.s2.b1.sustainedRate;
    out.push([`S2 sustained rate ≥ 1.5 × B1 (p99 ≤ ${P.s2P99Ms} ms, no loss)`, a > 0 && (b === 0 || a >= 1.5 * b), `${f0(a)} vs ${f0(b)} ticks/s (${ratio(a, b)}); B2 ${f0(S.s2.b2?.sustainedRate)}`]);
  }
  const s3 = S.s3?.find((/** @type {any} */ r) => r.kind === 'tickstream');
  if (s3) {
    const ok = !s3.error && s3.serverAlive && s3.stalenessMs?.over === 0 && s3.starvedPairs === 0 && !s3.unexpectedCloses && !s3.connect?.failed && s3.rssMB?.secondHalfSlopeMBps < 1;
    out.push([
      `S3 10k × 10 at ${P.s3Rate}/s: up, bounded, every symbol fresher than ${P.s3StaleMs} ms, no error`,
      ok,
      `staleness max ${ms(s3.stalenessMs?.max)} ms, ${s3.stalenessMs?.over} over, ${s3.starvedPairs} starved, conflated ${f0(s3.conflated)}, RSS slope ${f2(s3.rssMB?.secondHalfSlopeMBps)} MB/s ${notes(s3)}`,
    ]);
  }
  const mem = S.memory?.find((/** @type {any} */ r) => r.kind === 'tickstream');
  if (mem?.bytesPerConnection) out.push([`Memory per idle connection < 10 KB (${f0(mem.connect.ok)} connections)`, mem.bytesPerConnection < 10_000, `${f2(mem.bytesPerConnection / 1024)} KiB`]);
  if (S.ingest?.memory) out.push(['Ingest ≥ 1,000,000 ticks/s in memory', S.ingest.memory.perSecond >= 1e6, `${f0(S.ingest.memory.perSecond)} ticks/s`]);
  if (S.ingest?.redis) out.push(['Ingest ≥ 100,000 ticks/s through Redis Streams, one processor, generator alongside', S.ingest.redis.perSecond ? S.ingest.redis.perSecond >= 1e5 : null, S.ingest.redis.perSecond ? `${f0(S.ingest.redis.perSecond)} ticks/s` : (S.ingest.redis.skipped ?? S.ingest.redis.error)]);
  if (S.ingest?.redisBacklog?.perSecond) out.push(['Ingest ≥ 100,000 ticks/s through Redis Streams, one processor draining a backlog', S.ingest.redisBacklog.perSecond >= 1e5, `${f0(S.ingest.redisBacklog.perSecond)} ticks/s`]);
  if (S.ingest?.kafka) out.push(['Ingest ≥ 100,000 ticks/s through Kafka, one processor, generator alongside', S.ingest.kafka.perSecond ? S.ingest.kafka.perSecond >= 1e5 : null, S.ingest.kafka.perSecond ? `${f0(S.ingest.kafka.perSecond)} ticks/s` : (S.ingest.kafka.skipped ?? S.ingest.kafka.error)]);
  // Judged open loop: 1,000 orders/s offered, latency from when each was due (closed loop, latency is in-flight / rate by construction).
  const rabbitOrders = S.orders?.e2e?.find((/** @type {any} */ r) => r.queue === 'rabbitmq' && r.offered && !r.error);
  if (rabbitOrders) out.push(['Orders ≥ 1,000/s submit → fill through RabbitMQ, p99 < 50 ms', rabbitOrders.perSecond >= 0.99 * rabbitOrders.offered && rabbitOrders.offered >= 1000 && rabbitOrders.p99 < 50, `${f0(rabbitOrders.perSecond)} orders/s of ${f0(rabbitOrders.offered)} offered, p50 ${ms(rabbitOrders.p50)} p99 ${ms(rabbitOrders.p99)} ms (${rabbitOrders.database === 'postgres' ? 'PostgreSQL' : 'PGlite'})`]);
  if (S.ingest?.kafkaBacklog?.perSecond) out.push(['Ingest ≥ 100,000 ticks/s through Kafka, one processor draining a backlog', S.ingest.kafkaBacklog.perSecond >= 1e5, `${f0(S.ingest.kafkaBacklog.perSecond)} ticks/s`]);
  results.targets = out.map(([target, met, detail]) => ({ target, met, detail }));
  return table(['Target', 'Met', 'Measured'], out.map(([t, m, d]) => [t, m === null ? 'n/a' : m ? 'yes' : 'NO', d]));
}
