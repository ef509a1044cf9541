// @ts-check
// Ingest: generator → log → processor → store, in memory, through Redis Streams and through Kafka
// (bench/ingest.mjs), with Redis's own pipelined rate on the same machine for reference.
import { cpus } from 'node:os';
import { f0, f2 } from '../../lib/report.mjs';
import { ROOT } from '../context.mjs';
import { runJsonChild } from './child-json.mjs';
import { redisBenchmark } from './redis-benchmark.mjs';

/** @param {import('../context.mjs').BenchRun} run */
export async function sectionIngest({ P, log }) {
  // Free to use every core, as `npm start` and a generator + processor + Redis on one machine
  // would be (its GC helper threads and the worker-thread generator do) — said explicitly, since
  // children inherit this harness's own pinning.
  const everyCore = `0-${cpus().length - 1}`;
  const ingest = (/** @type {string[]} */ args) => runJsonChild({ core: everyCore, script: `${ROOT}bench/ingest.mjs`, args: [...args, '--timeout-ms', '150000'], what: 'ingest' });
  const memory = await ingest(['--memory', String(P.ingestMemoryTicks), '--redis', '0']);
  const redis = await ingest(['--memory', '0', '--redis', String(P.ingestRedisTicks)]);
  // Kafka on the local broker (`npm run kafka:up`), the same tick count as Redis Streams.
  const kafka = await ingest(['--memory', '0', '--redis', '0', '--kafka', String(P.ingestRedisTicks), '--kafka-brokers', process.env.KAFKA_BROKERS ?? '127.0.0.1:9092']);
  const out = { ...memory, ...redis, ...kafka };
  if (memory.error || redis.error || kafka.error) out.error = [memory.error, redis.error, kafka.error].filter(Boolean).join('; ');
  if (out.memory) log(`ingest, memory: ${f0(out.memory.perSecond)} ticks/s (${out.memory.ticks} ticks in ${f2(out.memory.seconds)} s)`);
  if (out.redis) log(`ingest, Redis Streams: ${out.redis.skipped ?? out.redis.error ?? `${f0(out.redis.perSecond)} ticks/s (${out.redis.ticks} ticks in ${f2(out.redis.seconds)} s)`}`);
  if (out.redisBacklog?.perSecond) log(`ingest, Redis Streams, one processor draining a backlog: ${f0(out.redisBacklog.perSecond)} ticks/s`);
  if (out.kafka) log(`ingest, Kafka: ${out.kafka.skipped ?? out.kafka.error ?? `${f0(out.kafka.perSecond)} ticks/s (${out.kafka.ticks} ticks in ${f2(out.kafka.seconds)} s)`}`);
  if (out.kafkaBacklog?.perSecond) log(`ingest, Kafka, one processor draining a backlog: ${f0(out.kafkaBacklog.perSecond)} ticks/s`);
  out.redisBenchmark = redisBenchmark();
  log(`redis-benchmark: ${out.redisBenchmark.note ?? out.redisBenchmark.lines.join(' | ')}`);
  return out;
}
