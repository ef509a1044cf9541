// @ts-check
// Tracing's cost on the tick path: generator → memory log → processor → memory store → pub/sub, with
// tickstream's own classes from dist/, in three settings run one after the other in child processes
// (the SDK is process-wide): tracing off (the SDK not loaded), on with sampling ratio 0 (every tick
// pays the sampling decision and nothing else), and on with ratio 0.01 (1 % of ticks traced,
// spans exported over OTLP/HTTP to a sink in this process that only counts them).
//   node bench/tracing.mjs [--ticks 300000] [--symbols 100]
// Prints one JSON line: { off, ratio0, ratio001 } each with ticks/s and CPU µs per tick.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** @param {string} p */
const dist = (p) => import(`${ROOT}dist/${p}`);
const CHUNK = 1000;

const args = process.argv.slice(2);
/** @param {string} name @param {string} dflt */
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? dflt) : dflt;
};
const TICKS = Number(opt('ticks', '300000'));
const SYMBOLS = Number(opt('symbols', '100'));

if (args.includes('--child')) await child();
else await parent();

/** One setting: the pipeline in this process, tracing as the environment says. */
async function child() {
  const { startTracing } = await dist('observability/tracing/start.js');
  const { tracingState } = await dist('observability/tracing/state.js');
  const { instrumentTickPipeline } = await dist('observability/tracing/instrument-adapters.js');
  const { MemoryEventLog } = await dist('adapters/memory/memory-event-log.js');
  const { MemoryPriceStore } = await dist('adapters/memory/memory-price-store.js');
  const { MemoryPubSub } = await dist('adapters/memory/memory-pubsub.js');
  const { ProcessorService } = await dist('services/processor.js');
  const { createMetrics } = await dist('observability/metrics.js');
  const { Market } = await dist('domain/price-model.js');
  const { seededRandom } = await dist('domain/random.js');
  const quiet = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, fatal() {}, child: () => quiet };

  const tracing = await startTracing(process.env, { version: 'bench', roles: ['generator', 'processor'] }, quiet);
  const log = new MemoryEventLog({ partitions: 8, retention: TICKS * 2 });
  const store = new MemoryPriceStore({ historyLimit: 1000, candleLimit: 500 });
  const pubsub = new MemoryPubSub();
  // As compose.ts does: the adapters get their spans only when tracing is on.
  if (tracingState.on) instrumentTickPipeline({ eventLog: log, store, pubsub }, { log: 'memory', topic: 'ticks', pubsub: 'memory' });

  let applied = 0;
  /** @type {() => void} */
  let done = () => {};
  const finished = new Promise((resolve) => (done = () => resolve(undefined)));
  const apply = store.applyTicks.bind(store);
  store.applyTicks = async (/** @type {any} */ ticks) => {
    const result = await apply(ticks);
    applied += ticks.length;
    if (applied >= TICKS) done();
    return result;
  };
  const processor = new ProcessorService({ log, store, pubsub, maxBatch: 5000, metrics: createMetrics({ defaultMetrics: false }), logger: quiet, group: 'bench' });
  await processor.start();
  const symbols = Array.from({ length: SYMBOLS }, (_, i) => `SYM${String(i).padStart(3, '0')}`);
  const market = new Market(
    symbols.map((symbol) => ({ symbol, basePrice: 100, drift: 0.05, volatility: 0.3 })),
    seededRandom(42),
    { speed: 60, source: 'bench' },
  );
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let made = 0; made < TICKS; made += CHUNK) {
    const n = Math.min(CHUNK, TICKS - made);
    const now = Date.now();
    const records = new Array(n);
    for (let i = 0; i < n; i++) {
      const tick = market.next(now);
      records[i] = { key: tick.symbol, value: tick };
    }
    await log.append(records);
  }
  await finished;
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  await processor.stop();
  await tracing.shutdown();
  console.log(JSON.stringify({ ticks: TICKS, seconds, perSecond: TICKS / seconds, cpuMicrosPerTick: (used.user + used.system) / TICKS }));
  process.exit(0);
}

/** Runs the three settings against a local OTLP sink and prints them side by side. */
async function parent() {
  let exports = 0;
  let spansBytes = 0;
  const sink = createServer((req, res) => {
    req.on('data', (/** @type {Buffer} */ chunk) => (spansBytes += chunk.length));
    req.on('end', () => {
      exports++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    req.on('error', () => {});
  });
  sink.on('clientError', (_error, socket) => socket.destroy());
  await new Promise((resolve) => sink.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = sink.address();
  const endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const otel = (/** @type {string} */ ratio) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: ratio, OTEL_BSP_SCHEDULE_DELAY: '200' });
  const out = {
    off: await run({}),
    ratio0: await run(otel('0')),
    ratio001: await run(otel('0.01')),
  };
  sink.close();
  console.log(JSON.stringify({ ...out, otlpExports: exports, otlpBytes: spansBytes }));
}

/** @param {Record<string, string>} env */
function run(env) {
  return new Promise((resolve) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));
    const proc = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', '--ticks', String(TICKS), '--symbols', String(SYMBOLS)], { env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    proc.stdout.on('data', (/** @type {Buffer} */ d) => (stdout += d.toString()));
    proc.on('error', (error) => resolve({ error: error.message }));
    proc.on('exit', () => {
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop() ?? ''));
      } catch {
        resolve({ error: `no result: ${stdout.slice(-300)}` });
      }
    });
  });
}
