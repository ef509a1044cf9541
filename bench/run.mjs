#!/usr/bin/env node
// tickstream benchmarks (issue #7): fan-out and latency, a rate ramp, 10k clients with
// conflation, slow consumers, memory per connection and ingest — each against baselines run in
// the same invocation, with the same clients and the same load. See bench/README.md.
//
//   npm run bench               full run (~15 min)
//   npm run bench -- --quick    1,000 clients only, no ramp (< 60 s after the build)
//   node bench/run.mjs --only fanout,s2 [--quick]
//
// Prints Markdown tables; writes bench/results/<time>.json, latest.json and latest.md.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { fanout } from './lib/fanout.mjs';
import { LOAD_CORE, pinSelf, SERVER_CORE, sleep, spawnPinned, startWorker, TASKSET } from './lib/proc.mjs';
import { f0, f1, f2, k, ms, notes, pct, ratio, table } from './lib/report.mjs';
import { SERVER_NAMES, startServer } from './lib/servers.mjs';
import { makeSymbols, zipfSubscriptions } from './lib/symbols.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const onlyArg = argv.find((a) => a.startsWith('--only'));
const onlyValue = onlyArg?.includes('=') ? onlyArg.split('=')[1] : onlyArg ? argv[argv.indexOf(onlyArg) + 1] : undefined;
// Targets first, so a run cut short by the time limit still has them.
const ALL = QUICK ? ['fanout', 'memory', 'ingest', 'analytics', 'tracing'] : ['fanout', 's2', 's3', 'memory', 'ingest', 'slow', 'variants', 'analytics', 'tracing'];
const SECTIONS = onlyValue ? onlyValue.split(',') : ALL;
const serversArg = argv.find((a) => a.startsWith('--servers='));
const SERVERS = serversArg ? serversArg.split('=')[1].split(',') : ['tickstream', 'b1', 'b2'];
/** `--tickstream-env=WS_FLUSH_MS=20,…`: settings for every tickstream server of this run (e.g. to ramp a tuned gateway). */
const tsEnvArg = argv.find((a) => a.startsWith('--tickstream-env='));
const TICKSTREAM_ENV = Object.fromEntries((tsEnvArg ? tsEnvArg.slice('--tickstream-env='.length).split(',') : []).filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
const HARD_LIMIT_MS = Number(process.env.BENCH_TIME_LIMIT_MS ?? (QUICK ? 10 : 20) * 60_000);

/** Everything about the load; the same for every server within a run. */
const P = {
  symbols: 100,
  perClient: 10,
  zipf: 1,
  s1Rate: 500,
  fanoutClients: QUICK ? [1000] : [1000, 5000, 10000],
  fanoutServers: SERVERS,
  connectDeadlineMs: QUICK ? 30_000 : 90_000,
  warmMs: QUICK ? 1500 : 3000,
  measureMs: QUICK ? 4000 : 8000,
  variants: [
    { label: 'tickstream batch=1', batch: true, env: {} },
    { label: 'tickstream WS_FLUSH_MS=5', batch: false, env: { WS_FLUSH_MS: '5' } },
  ],
  s2Rates: [500, 750, 1000, 1500, 2000, 3000, 4000, 6000, 8000, 12000, 16000],
  s2Servers: SERVERS,
  s2WarmMs: 2000,
  s2MeasureMs: 5000,
  s2P99Ms: 50,
  s3Clients: 10000,
  s3Rate: 1000,
  s3WarmMs: 3000,
  s3MeasureMs: 15000,
  s3StaleMs: 200,
  slowClients: 1000,
  slowRate: 2000,
  slowFraction: 0.01,
  slowWarmMs: 2000,
  slowMeasureMs: QUICK ? 8000 : 25000,
  memoryClients: QUICK ? 1000 : 10000,
  memoryServers: SERVERS.filter((s) => s !== 'b2'),
  ingestMemoryTicks: QUICK ? 200_000 : 1_000_000,
  ingestRedisTicks: QUICK ? 30_000 : 300_000,
};

const symbols = makeSymbols(P.symbols);
const subscriptionsFor = (n) => zipfSubscriptions({ n, k: P.perClient, symbols, s: P.zipf, seed: 7 });
const startedAt = Date.now();
const results = { meta: meta(), params: P, sections: {} };
const log = (...a) => console.log(`[${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)}s]`, ...a);
const timeLeft = () => HARD_LIMIT_MS - (Date.now() - startedAt);

setTimeout(() => {
  console.error(`bench: hard time limit of ${HARD_LIMIT_MS / 1000} s reached; writing what there is`);
  finish(1);
}, HARD_LIMIT_MS).unref();

function meta() {
  const git = (args) => spawnSync('git', args, { cwd: ROOT }).stdout?.toString().trim();
  return {
    date: new Date().toISOString(),
    mode: QUICK ? 'quick' : 'full',
    node: process.version,
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    taskset: TASKSET ? `servers on core ${SERVER_CORE}, load generator on core ${LOAD_CORE}` : 'not available (no pinning)',
    loadavgAtStart: loadavg().map((x) => x.toFixed(2)).join(' '),
    commit: `${git(['rev-parse', '--short', 'HEAD'])}${git(['status', '--porcelain', '--', 'src']) ? ' + uncommitted src changes' : ''}`,
  };
}

function oneLine(r) {
  if (r.error) return `${r.label}: ERROR ${r.error}`;
  return (
    `${r.label.padEnd(26)} n=${r.clients} R=${r.rate} → ${k(r.deliveredPerSecond)}/s of ${k(r.healthyOfferedPerSecond)}/s, ` +
    `p50 ${ms(r.latencyMs.p50)} p99 ${ms(r.latencyMs.p99)} p99.9 ${ms(r.latencyMs.p999)} max ${ms(r.latencyMs.max)} ms, ` +
    `missing ${pct(r.missingRatio)}, conflated ${f0(r.conflated)}, CPU ${f2(r.cpuSecondsPerMillion)} s/M, srv ${f2(r.serverCores)} cores, ` +
    `ELD p99 ${ms(r.eldP99Ms)} ms, load ${f2(r.loadCores)} cores ${notes(r)}`
  );
}

// ───────────────────────────── sections ─────────────────────────────

async function sectionFanout() {
  const runs = (results.sections.fanout = []); // filled as runs finish: a cut-short run keeps them
  for (const n of P.fanoutClients) {
    const subscriptions = subscriptionsFor(n);
    for (const kind of P.fanoutServers) {
      const r = await fanout({ connectDeadlineMs: P.connectDeadlineMs, kind, label: SERVER_NAMES[kind], symbols, subscriptions, rate: P.s1Rate, warmMs: P.warmMs, measureMs: n === 1000 && !QUICK ? 10_000 : P.measureMs, deferSubscribe: n > 1000 });
      log(oneLine(r));
      runs.push(r);
    }
  }
  return runs;
}

async function sectionVariants() {
  const subscriptions = subscriptionsFor(1000);
  const runs = (results.sections.variants = []); // filled as runs finish: a cut-short run keeps them
  for (const kind of SERVERS.filter((s) => s !== 'b2')) {
    // The reference pair again, so the variants compare against numbers from minutes apart at most.
    const r = await fanout({ connectDeadlineMs: P.connectDeadlineMs, kind, label: SERVER_NAMES[kind], symbols, subscriptions, rate: P.s1Rate, warmMs: P.warmMs, measureMs: P.measureMs });
    log(oneLine(r));
    runs.push(r);
  }
  for (const v of P.variants) {
    const r = await fanout({ connectDeadlineMs: P.connectDeadlineMs, kind: 'tickstream', label: v.label, symbols, subscriptions, rate: P.s1Rate, warmMs: P.warmMs, measureMs: P.measureMs, batch: v.batch, env: v.env });
    log(oneLine(r));
    runs.push(r);
  }
  return runs;
}

/** Keeps up: p99 within the bound, nothing skipped, the source made ≥ 90% of the rate and ≥ 90% of it was delivered. */
const sustains = (r) =>
  !r.error && r.latencyMs?.p99 != null && r.latencyMs.p99 <= P.s2P99Ms && r.missingRatio <= 0.001 && r.deliveredRatio >= 0.9 && r.sourceTicksPerSecond >= 0.9 * r.rate && !r.unexpectedCloses && !r.connect?.failed;

async function sectionS2() {
  const subscriptions = subscriptionsFor(1000);
  const out = (results.sections.s2 = {});
  for (const kind of P.s2Servers) {
    const steps = [];
    const entry = (out[kind] = { steps, sustainedRate: 0, sustainedDeliveries: 0, failedAt: null });
    for (const rate of P.s2Rates) {
      if (timeLeft() < 120_000) break;
      const env = kind === 'tickstream' ? TICKSTREAM_ENV : {};
      const r = await fanout({ connectDeadlineMs: P.connectDeadlineMs, kind, label: `${SERVER_NAMES[kind]} @${rate}/s`, symbols, subscriptions, rate, warmMs: P.s2WarmMs, measureMs: P.s2MeasureMs, env });
      r.sustained = sustains(r);
      log(oneLine(r), r.sustained ? 'OK' : 'FAIL');
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

async function sectionS3() {
  const subscriptions = subscriptionsFor(P.s3Clients);
  const runs = (results.sections.s3 = []); // filled as runs finish: a cut-short run keeps them
  for (const kind of P.fanoutServers) {
    const r = await fanout({ connectDeadlineMs: P.connectDeadlineMs, kind, label: SERVER_NAMES[kind], symbols, subscriptions, rate: P.s3Rate, warmMs: P.s3WarmMs, measureMs: P.s3MeasureMs, staleLimitMs: P.s3StaleMs, deferSubscribe: true });
    log(oneLine(r), `staleness p99.9 ${ms(r.stalenessMs?.p999)} max ${ms(r.stalenessMs?.max)} ms, >${P.s3StaleMs} ms: ${r.stalenessMs?.over}, starved ${r.starvedPairs}, RSS ${JSON.stringify(r.rssMB)}`);
    runs.push(r);
  }
  return runs;
}

/**
 * 1% of the clients subscribe to every symbol ("firehose"), so that when they stop reading their
 * backlog outgrows the kernel's socket buffers within the run. Reference run: they read.
 */
async function sectionSlow() {
  const subscriptions = subscriptionsFor(P.slowClients);
  const firehose = Math.max(1, Math.round(P.slowClients * P.slowFraction));
  const base = subscriptions.slice(0, P.slowClients - firehose);
  // First in the list, so they are connected before anyone else.
  const clients = [...Array.from({ length: firehose }, () => symbols), ...base];
  const slow = new Set(Array.from({ length: firehose }, (_, i) => i));
  const runs = (results.sections.slow = []); // filled as runs finish: a cut-short run keeps them
  for (const [kind, paused] of [['tickstream', false], ['tickstream', true], ['b1', false], ['b1', true]].filter(([s]) => SERVERS.includes(s))) {
    const label = `${SERVER_NAMES[kind]}, ${firehose} ${paused ? 'paused' : 'reading'}`;
    const r = await fanout({ connectDeadlineMs: P.connectDeadlineMs, kind, label, symbols, subscriptions: clients, slow: paused ? slow : new Set(), rate: P.slowRate, warmMs: P.slowWarmMs, measureMs: P.slowMeasureMs });
    r.paused = paused;
    log(oneLine(r), `RSS ${JSON.stringify(r.rssMB)}`);
    runs.push(r);
  }
  return runs;
}

const WORKER = fileURLToPath(new URL('./load/worker.mjs', import.meta.url));

/**
 * RSS per idle connection (clients subscribed, no ticks flowing), after forced GCs: the slope
 * between half and all of the connections, so the heap's fixed growth on the first connections
 * is not charged to each; the plain (all − none) / n is reported beside it.
 */
async function sectionMemory() {
  const subscriptions = subscriptionsFor(P.memoryClients);
  const half = Math.floor(subscriptions.length / 2);
  const runs = (results.sections.memory = []); // filled as runs finish: a cut-short run keeps them
  for (const kind of P.memoryServers) {
    const server = await startServer(kind, { symbols, rate: kind === 'tickstream' ? 0.01 : 0, gc: true });
    const worker = startWorker(WORKER);
    const r = { kind, label: SERVER_NAMES[kind], clients: subscriptions.length };
    // GC until RSS stops moving (V8 hands pages back lazily, over several collections).
    const settledRss = async (ms) => {
      await sleep(ms);
      let prev = Infinity;
      let rss = Infinity;
      for (let i = 0; i < 10; i++) {
        server.gc();
        await sleep(400);
        rss = server.rss();
        if (Math.abs(rss - prev) < 256 * 1024) break;
        prev = rss;
      }
      return Math.min(rss, prev);
    };
    const connect = (from, list) =>
      worker.request('connect', { port: server.port, kind: kind === 'b2' ? 'sio' : 'raw', list: list.map((s) => ({ symbols: s })), from, total: subscriptions.length, wave: 200, symbols: symbols.length }, 180_000);
    try {
      r.rssBefore = await settledRss(500);
      const a = await connect(0, subscriptions.slice(0, half));
      r.rssHalf = await settledRss(QUICK ? 1000 : 2000);
      const b = await connect(half, subscriptions.slice(half));
      r.rssAfter = await settledRss(QUICK ? 1000 : 2000);
      r.connect = { ok: a.ok + b.ok, failed: a.failed + b.failed, ms: a.ms + b.ms };
      r.bytesPerConnection = (r.rssAfter - r.rssHalf) / b.ok;
      r.bytesPerConnectionOverall = (r.rssAfter - r.rssBefore) / r.connect.ok;
      log(`${r.label}: ${r.connect.ok} idle connections, RSS ${f1(r.rssBefore / 1e6)} → ${f1(r.rssHalf / 1e6)} → ${f1(r.rssAfter / 1e6)} MB = ${f2(r.bytesPerConnection / 1024)} KiB per connection (overall ${f2(r.bytesPerConnectionOverall / 1024)})`);
    } catch (error) {
      r.error = String(error?.message ?? error);
      log(`${r.label}: memory run failed: ${r.error}`);
    } finally {
      await worker.close();
      await server.stop();
    }
    runs.push(r);
  }
  return runs;
}

async function sectionIngest() {
  // Free to use every core, as `npm start` and a generator + processor + Redis on one machine
  // would be (its GC helper threads and the worker-thread generator do) — said explicitly, since
  // children inherit this harness's own pinning.
  const everyCore = `0-${cpus().length - 1}`;
  const memory = await runIngest(everyCore, ['--memory', String(P.ingestMemoryTicks), '--redis', '0']);
  const redis = await runIngest(everyCore, ['--memory', '0', '--redis', String(P.ingestRedisTicks)]);
  // Kafka on the local broker (`npm run kafka:up`), the same tick count as Redis Streams.
  const kafka = await runIngest(everyCore, ['--memory', '0', '--redis', '0', '--kafka', String(P.ingestRedisTicks), '--kafka-brokers', process.env.KAFKA_BROKERS ?? '127.0.0.1:9092']);
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

/**
 * `redis-benchmark -q -n 100000 -t set,xadd -P 16` against DB 15. redis-benchmark 7.0 has no
 * built-in xadd test (it silently runs SET only), so XADD then runs as a custom command on a key of
 * our own. The keys written are deleted afterwards.
 */
/** The analytics role's batch handler with the full indicator set on 100 symbols × 4 intervals (bench/analytics.mjs), one core. */
async function sectionAnalytics() {
  const child = spawnPinned({ core: '0', cmd: process.execPath, args: [`${ROOT}bench/analytics.mjs`, '--ticks', String(QUICK ? 20_000 : 200_000), '--symbols', '100'], stdout: 'pipe' });
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d.toString()));
  await child.exited;
  try {
    const out = JSON.parse(stdout.trim().split('\n').pop());
    log(`analytics: ${f0(out.perSecond)} ticks/s, ${f2(out.cpuMicrosPerTick)} µs CPU per tick (${out.symbols} symbols × ${out.intervals} intervals × ${out.indicators} indicators)`);
    return out;
  } catch {
    return { error: `analytics benchmark failed: ${(child.stderrText || stdout || '').slice(-500)}` };
  }
}

/** Tracing's cost on the tick path: off, sampling ratio 0 and 0.01 (bench/tracing.mjs), one core. */
async function sectionTracing() {
  const child = spawnPinned({ core: '0', cmd: process.execPath, args: [`${ROOT}bench/tracing.mjs`, '--ticks', String(QUICK ? 100_000 : 500_000), '--symbols', '100'], stdout: 'pipe' });
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d.toString()));
  await child.exited;
  try {
    const out = JSON.parse(stdout.trim().split('\n').pop());
    for (const [name, r] of Object.entries(TRACING_SETTINGS)) if (out[name]) log(`tracing ${r}: ${f0(out[name].perSecond)} ticks/s, ${f2(out[name].cpuMicrosPerTick)} µs CPU per tick`);
    return out;
  } catch {
    return { error: `tracing benchmark failed: ${(child.stderrText || stdout || '').slice(-500)}` };
  }
}
const TRACING_SETTINGS = { off: 'off (SDK not loaded)', ratio0: 'on, sampling ratio 0', ratio001: 'on, sampling ratio 0.01, OTLP/protobuf export' };

/** One run of bench/ingest.mjs: its JSON line, or `{ error }`. */
async function runIngest(core, args) {
  const child = spawnPinned({ core, cmd: process.execPath, args: [`${ROOT}bench/ingest.mjs`, ...args, '--timeout-ms', '150000'], stdout: 'pipe' });
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d.toString()));
  await child.exited;
  try {
    return JSON.parse(stdout.trim().split('\n').pop());
  } catch {
    return { error: `ingest benchmark failed: ${(child.stderrText || stdout || '').slice(-500)}` };
  }
}

function redisBenchmark() {
  if (spawnSync('redis-benchmark', ['--version']).status !== 0) return { note: 'redis-benchmark is not installed: skipped' };
  if (spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', '6379', 'ping'], { timeout: 3000 }).stdout?.toString().trim() !== 'PONG') {
    return { note: 'no Redis on 127.0.0.1:6379: skipped' };
  }
  const base = ['-h', '127.0.0.1', '-p', '6379', '--dbnum', '15', '-q', '-n', '100000', '-P', '16'];
  const key = `bench-redis-benchmark:${process.pid}`;
  const commands = [[...base, '-t', 'set,xadd']];
  const lines = [];
  const read = (args) => {
    const run = spawnSync('redis-benchmark', args, { timeout: 60_000, encoding: 'utf8' });
    return (run.stdout ?? '')
      .split(/[\r\n]/)
      .map((l) => l.trim())
      .filter((l) => /requests per second/.test(l))
      .map((l) => l.replace(/^XADD .*?: (\d)/, 'XADD (custom command): $1'));
  };
  lines.push(...read(commands[0]));
  if (!lines.some((l) => /^XADD/i.test(l))) {
    commands.push([...base, 'XADD', key, 'MAXLEN', '~', '100000', '*', 'key', 'SYM000', 'value', '{"symbol":"SYM000","price":101.25,"size":100,"ts":1700000000000,"seq":1,"source":"sim"}']);
    lines.push(...read(commands[1]));
  }
  spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', '6379', '-n', '15', 'del', 'key:__rand_int__', 'mystream', key], { timeout: 5000 });
  return { commands: commands.map((c) => `redis-benchmark ${c.map((a) => (/[\s{}"*~]/.test(a) ? `'${a}'` : a)).join(' ')}`), lines };
}

// ───────────────────────────── report ─────────────────────────────

function fanoutTable(runs) {
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

function ratioTable(runs) {
  const rows = [];
  for (const n of [...new Set(runs.map((r) => r.clients))]) {
    const at = (kind) => runs.find((r) => r.clients === n && r.kind === kind && !r.batch && Object.keys(r.env ?? {}).length === 0);
    const t = at('tickstream');
    for (const b of ['b1', 'b2']) {
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

function s2Table(s2) {
  const rows = [];
  for (const [kind, v] of Object.entries(s2)) {
    for (const st of v.steps) {
      rows.push([SERVER_NAMES[kind], f0(st.rate), k(st.sourceTicksPerSecond), k(st.healthyOfferedPerSecond), k(st.deliveredPerSecond), ms(st.latencyMs?.p99), pct(st.missingRatio), f2(st.serverCores), st.sustained ? 'yes' : 'no', notes(st)]);
    }
  }
  return table(['Server', 'Ticks/s', 'Made/s', 'Offered/s', 'Delivered/s', 'p99 ms', 'Missing', 'Server cores', 'Sustained', 'Notes'], rows);
}

function s3Table(runs) {
  return table(
    ['Server', 'Up', 'Clients', 'Made/s', 'Delivered/s', 'p99 ms', 'Staleness p99.9 ms', 'Staleness max ms', `> ${P.s3StaleMs} ms`, 'Starved pairs', 'Conflated', 'Slow closes', 'RSS first → max → last MB', 'Notes'],
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
      r.rssMB ? `${f0(r.rssMB.first)} → ${f0(r.rssMB.max)} → ${f0(r.rssMB.last)}` : '–',
      notes(r),
    ]),
  );
}

function slowTable(runs) {
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
      r.rssMB ? `${f0(r.rssMB.first)} → ${f0(r.rssMB.max)} → ${f0(r.rssMB.last)}` : '–',
      r.rssMB ? `${f2(r.rssMB.secondHalfSlopeMBps)} MB/s` : '–',
      notes(r),
    ]),
  );
}

function memoryTable(runs) {
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

function ingestTable(ing) {
  const rows = [];
  if (ing.memory) rows.push(['generator → memory log → processor → memory store, one process', f0(ing.memory.ticks), f2(ing.memory.seconds), f0(ing.memory.perSecond), `generator alone ${f0(ing.memory.generatorPerSecond)}/s; batches ≤ ${ing.memory.maxBatch}; ${ing.memory.symbols} symbols`]);
  if (ing.redis) {
    const redisNotes = (r) => `Redis CPU ${f2(r.redisCpuSeconds)} s; batches ≤ ${r.maxBatch}; ${r.symbols} symbols; pub/sub ${r.pubsub}; ${r.keysDeleted} keys deleted`;
    if (ing.redis.perSecond) rows.push(['generator → Redis Streams → processor → Redis store, all running', f0(ing.redis.ticks), f2(ing.redis.seconds), f0(ing.redis.perSecond), `generator appends ${f0(ing.redis.appendPerSecond)}/s; ${redisNotes(ing.redis)}`]);
    if (ing.redisBacklog?.perSecond) rows.push(['Redis Streams backlog → one processor → Redis store', f0(ing.redisBacklog.ticks), f2(ing.redisBacklog.seconds), f0(ing.redisBacklog.perSecond), redisNotes(ing.redisBacklog)]);
    else rows.push(['Redis Streams → processor → Redis store', '–', '–', '–', ing.redis.skipped ?? ing.redis.error]);
  }
  if (ing.kafka) {
    const kafkaNotes = (r) => `8 partitions, acks=all, idempotent producer; Redis CPU ${f2(r.redisCpuSeconds)} s; batches ≤ ${r.maxBatch}; ${r.symbols} symbols`;
    if (ing.kafka.perSecond) rows.push(['generator → Kafka → processor → Redis store, all running', f0(ing.kafka.ticks), f2(ing.kafka.seconds), f0(ing.kafka.perSecond), `generator appends ${f0(ing.kafka.appendPerSecond)}/s; ${kafkaNotes(ing.kafka)}`]);
    else rows.push(['Kafka → processor → Redis store', '–', '–', '–', ing.kafka.skipped ?? ing.kafka.error]);
    if (ing.kafkaBacklog?.perSecond) rows.push(['Kafka backlog → one processor → Redis store', f0(ing.kafkaBacklog.ticks), f2(ing.kafkaBacklog.seconds), f0(ing.kafkaBacklog.perSecond), kafkaNotes(ing.kafkaBacklog)]);
  }
  if (ing.error) rows.push(['ingest', '–', '–', '–', ing.error]);
  return table(['Path', 'Ticks', 'Seconds', 'Ticks/s', 'Notes'], rows);
}

function targets() {
  const S = results.sections;
  const out = [];
  const t1 = S.fanout?.find((r) => r.kind === 'tickstream' && r.clients === 1000);
  const b1 = S.fanout?.find((r) => r.kind === 'b1' && r.clients === 1000);
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
  const s3 = S.s3?.find((r) => r.kind === 'tickstream');
  if (s3) {
    const ok = !s3.error && s3.serverAlive && s3.stalenessMs?.over === 0 && s3.starvedPairs === 0 && !s3.unexpectedCloses && !s3.connect?.failed && s3.rssMB?.secondHalfSlopeMBps < 1;
    out.push([
      `S3 10k × 10 at ${P.s3Rate}/s: up, bounded, every symbol fresher than ${P.s3StaleMs} ms, no error`,
      ok,
      `staleness max ${ms(s3.stalenessMs?.max)} ms, ${s3.stalenessMs?.over} over, ${s3.starvedPairs} starved, conflated ${f0(s3.conflated)}, RSS slope ${f2(s3.rssMB?.secondHalfSlopeMBps)} MB/s ${notes(s3)}`,
    ]);
  }
  const mem = S.memory?.find((r) => r.kind === 'tickstream');
  if (mem?.bytesPerConnection) out.push([`Memory per idle connection < 10 KB (${f0(mem.connect.ok)} connections)`, mem.bytesPerConnection < 10_000, `${f2(mem.bytesPerConnection / 1024)} KiB`]);
  if (S.ingest?.memory) out.push(['Ingest ≥ 1,000,000 ticks/s in memory', S.ingest.memory.perSecond >= 1e6, `${f0(S.ingest.memory.perSecond)} ticks/s`]);
  if (S.ingest?.redis) out.push(['Ingest ≥ 100,000 ticks/s through Redis Streams, one processor, generator alongside', S.ingest.redis.perSecond ? S.ingest.redis.perSecond >= 1e5 : null, S.ingest.redis.perSecond ? `${f0(S.ingest.redis.perSecond)} ticks/s` : (S.ingest.redis.skipped ?? S.ingest.redis.error)]);
  if (S.ingest?.redisBacklog?.perSecond) out.push(['Ingest ≥ 100,000 ticks/s through Redis Streams, one processor draining a backlog', S.ingest.redisBacklog.perSecond >= 1e5, `${f0(S.ingest.redisBacklog.perSecond)} ticks/s`]);
  if (S.ingest?.kafka) out.push(['Ingest ≥ 100,000 ticks/s through Kafka, one processor, generator alongside', S.ingest.kafka.perSecond ? S.ingest.kafka.perSecond >= 1e5 : null, S.ingest.kafka.perSecond ? `${f0(S.ingest.kafka.perSecond)} ticks/s` : (S.ingest.kafka.skipped ?? S.ingest.kafka.error)]);
  if (S.ingest?.kafkaBacklog?.perSecond) out.push(['Ingest ≥ 100,000 ticks/s through Kafka, one processor draining a backlog', S.ingest.kafkaBacklog.perSecond >= 1e5, `${f0(S.ingest.kafkaBacklog.perSecond)} ticks/s`]);
  results.targets = out.map(([target, met, detail]) => ({ target, met, detail }));
  return table(['Target', 'Met', 'Measured'], out.map(([t, m, d]) => [t, m === null ? 'n/a' : m ? 'yes' : 'NO', d]));
}

function markdown() {
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
    `Command: \`npm run bench${QUICK ? ' -- --quick' : ''}\`${onlyValue ? ` (only ${onlyValue})` : ''}. Each client subscribes to ${P.perClient} of ${P.symbols} symbols (Zipf s=${P.zipf} popularity); ticks are produced open-loop, symbols drawn uniformly. Latency = client receipt − tick \`ts\`. Same clients, same load, same run for every server. See bench/README.md for method and caveats.`,
    '',
  ];
  if (results.targets?.length) parts.push('## Targets', '', targets(), '');
  if (S.fanout) parts.push(`## Fan-out and latency (${P.s1Rate} ticks/s)`, '', fanoutTable(S.fanout), '', ratioTable(S.fanout), '');
  if (S.variants) parts.push('## tickstream options at S1 load (1,000 clients, 500 ticks/s)', '', fanoutTable(S.variants), '');
  if (S.s2) {
    parts.push(`## S2 — rate ramp, 1,000 clients, until p99 > ${P.s2P99Ms} ms or loss`, '', s2Table(S.s2), '');
    parts.push(Object.entries(S.s2).map(([kind, v]) => `- ${SERVER_NAMES[kind]}: sustains ${f0(v.sustainedRate)} ticks/s (${k(v.sustainedDeliveries)} deliveries/s)${v.failedAt ? `, fails at ${f0(v.failedAt)}` : ''}`).join('\n'), '');
  }
  if (S.s3) parts.push(`## S3 — ${f0(P.s3Clients)} clients × ${P.perClient} symbols at ${f0(P.s3Rate)} ticks/s`, '', s3Table(S.s3), '');
  if (S.slow) {
    parts.push(`## Slow consumers — ${f0(P.slowClients)} clients at ${f0(P.slowRate)} ticks/s, 1% subscribed to everything and paused`, '', slowTable(S.slow), '');
    parts.push('Server RSS over time (seconds since the clients connected: MB):', '');
    for (const r of S.slow) if (r.rssSeries?.length) parts.push(`- ${r.label}: ${r.rssSeries.filter((_, i) => i % 3 === 0).map(([t, mb]) => `${f0(t)}:${f0(mb)}`).join(' ')}`);
    parts.push('');
  }
  if (S.memory) parts.push('## Memory per idle connection', '', memoryTable(S.memory), '');
  if (S.ingest) {
    parts.push('## Ingest', '', ingestTable(S.ingest), '');
    const rb = S.ingest.redisBenchmark;
    if (rb) parts.push(rb.note ? `redis-benchmark: ${rb.note}` : `Reference, same machine (Redis itself, pipelined 16 deep):\n\n${rb.commands.map((c) => `    ${c}`).join('\n')}\n\n${rb.lines.map((l) => `    ${l}`).join('\n')}`, '');
  }
  if (S.analytics) {
    const a = S.analytics;
    parts.push('## Analytics role', '', a.error ?? `${f0(a.perSecond)} ticks/s, ${f2(a.cpuMicrosPerTick)} µs CPU per tick (${a.symbols} symbols × ${a.intervals} intervals × ${a.indicators} indicators, one core)`, '');
  }
  if (S.tracing) {
    const t = S.tracing;
    const rows = Object.entries(TRACING_SETTINGS).filter(([name]) => t[name]).map(([name, label]) => [label, f0(t[name].ticks), f0(t[name].perSecond), f2(t[name].cpuMicrosPerTick)]);
    parts.push('## Tracing on the tick path (generator → memory log → processor → memory store, one process)', '', t.error ?? table(['Tracing', 'Ticks', 'Ticks/s', 'CPU µs per tick'], rows), '');
  }
  parts.push(`Wall time: ${f0((Date.now() - startedAt) / 1000)} s.`, '');
  return parts.join('\n');
}

let finished = false;
function finish(code = 0) {
  if (finished) return;
  finished = true;
  targets();
  results.meta.wallSeconds = (Date.now() - startedAt) / 1000;
  const md = markdown();
  console.log(`\n${md}`);
  const dir = `${ROOT}bench/results`;
  mkdirSync(dir, { recursive: true });
  const stamp = results.meta.date.replace(/[:.]/g, '-');
  const json = JSON.stringify(results, null, 1);
  writeFileSync(`${dir}/${stamp}-${results.meta.mode}.json`, json);
  writeFileSync(`${dir}/latest.json`, json);
  writeFileSync(`${dir}/latest.md`, md);
  console.log(`written: bench/results/${stamp}-${results.meta.mode}.json, latest.json, latest.md`);
  process.exit(code);
}

// ───────────────────────────── main ─────────────────────────────

pinSelf(LOAD_CORE);
log(`tickstream bench, ${QUICK ? 'quick' : 'full'} mode: ${SECTIONS.join(', ')} · ${results.meta.taskset} · load average ${results.meta.loadavgAtStart}`);
const SECTION_FNS = { fanout: sectionFanout, variants: sectionVariants, s2: sectionS2, s3: sectionS3, slow: sectionSlow, memory: sectionMemory, ingest: sectionIngest, analytics: sectionAnalytics, tracing: sectionTracing };
for (const name of SECTIONS) {
  const fn = SECTION_FNS[name];
  if (!fn) {
    console.error(`bench: unknown section ${name}; known: ${Object.keys(SECTION_FNS).join(', ')}`);
    process.exit(2);
  }
  try {
    results.sections[name] = await fn();
  } catch (error) {
    console.error(`bench: section ${name} failed:`, error);
    results.sections[`${name}Error`] = String(error?.stack ?? error);
  }
}
finish(0);
