// Ingest: ticks/s through log → processor → store, in-process, with tickstream's own classes from
// dist/. A pre-generated batch is appended as fast as the log takes it while one processor
// consumes; the clock stops when the store has applied every tick.
//   node bench/ingest.mjs --memory 1000000 --redis 100000 [--redis-url redis://127.0.0.1:6379/15]
// Prints one JSON line.
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const dist = (p) => import(`${ROOT}dist/${p}`);
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const MEMORY_TICKS = Number(opt('memory', 1_000_000));
const REDIS_TICKS = Number(opt('redis', 100_000));
const REDIS_URL = opt('redis-url', 'redis://127.0.0.1:6379/15');
const SYMBOLS = Number(opt('symbols', 100));
const CHUNK = 1000;
setTimeout(() => {
  console.log(JSON.stringify({ error: 'ingest benchmark timed out' }));
  process.exit(1);
}, Number(opt('timeout-ms', 120_000))).unref();

const { Market } = await dist('domain/price-model.js');
const { seededRandom } = await dist('domain/random.js');
const { ProcessorService } = await dist('services/processor.js');
const { createMetrics } = await dist('observability/metrics.js');
const { MemoryPubSub } = await dist('adapters/memory/memory-pubsub.js');

const quiet = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, fatal() {}, child: () => quiet };
const symbols = Array.from({ length: SYMBOLS }, (_, i) => `SYM${String(i).padStart(3, '0')}`);

function generate(count) {
  const market = new Market(
    symbols.map((symbol) => ({ symbol, basePrice: 100, drift: 0.05, volatility: 0.3 })),
    seededRandom(42),
    { speed: 60, source: 'bench' },
  );
  const t0 = Date.now();
  const started = performance.now();
  const records = new Array(count);
  for (let i = 0; i < count; i++) {
    const tick = market.next(t0 + Math.floor(i / 1000));
    records[i] = { key: tick.symbol, value: tick };
  }
  return { records, generatorPerSecond: count / ((performance.now() - started) / 1000) };
}

/** Appends `records` in chunks while the processor runs; resolves when the store applied all. */
async function drive({ log, store, pubsub, records }) {
  const total = records.length;
  let applied = 0;
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  const apply = store.applyTicks.bind(store);
  store.applyTicks = async (ticks) => {
    const result = await apply(ticks);
    applied += ticks.length;
    if (applied >= total) done();
    return result;
  };
  const metrics = createMetrics({ defaultMetrics: false });
  const processor = new ProcessorService({ log, store, pubsub, maxBatch: 1000, metrics, logger: quiet, group: `bench-${process.pid}` });
  await processor.start();
  const started = performance.now();
  for (let i = 0; i < total; i += CHUNK) await log.append(records.slice(i, i + CHUNK));
  const appendedMs = performance.now() - started;
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await processor.stop();
  return { ticks: total, seconds, perSecond: total / seconds, appendPerSecond: total / (appendedMs / 1000), accepted: (await metrics.ticksAccepted.get()).values[0]?.value ?? 0 };
}

const out = {};

if (MEMORY_TICKS > 0) {
  const { MemoryEventLog } = await dist('adapters/memory/memory-event-log.js');
  const { MemoryPriceStore } = await dist('adapters/memory/memory-price-store.js');
  const { records, generatorPerSecond } = generate(MEMORY_TICKS);
  const log = new MemoryEventLog({ partitions: 8, retention: MEMORY_TICKS + 1 });
  const store = new MemoryPriceStore({ historyLimit: 1000, candleLimit: 500 });
  out.memory = { ...(await drive({ log, store, pubsub: new MemoryPubSub(), records })), generatorPerSecond };
}

if (REDIS_TICKS > 0) {
  const have = ['adapters/redis/redis-streams-event-log.js', 'adapters/redis/redis-price-store.js'].every((p) => existsSync(`${ROOT}dist/${p}`));
  if (!have) out.redis = { skipped: 'src/adapters/redis/redis-streams-event-log.ts or redis-price-store.ts is not built' };
  else {
    const { createClient } = await import('redis');
    const admin = createClient({ url: REDIS_URL, socket: { reconnectStrategy: false, connectTimeout: 2000 } });
    admin.on('error', () => {});
    let reachable = true;
    try {
      await admin.connect();
      await admin.ping();
    } catch {
      reachable = false;
    }
    if (!reachable) out.redis = { skipped: `no Redis answers at ${REDIS_URL}` };
    else {
      const prefix = `bench-ingest:${process.pid}:${Date.now()}:`;
      const { RedisStreamsEventLog } = await dist('adapters/redis/redis-streams-event-log.js');
      const { RedisPriceStore } = await dist('adapters/redis/redis-price-store.js');
      const { tickCodec } = await dist('adapters/codec.js');
      const { records } = generate(REDIS_TICKS);
      const log = new RedisStreamsEventLog({ url: REDIS_URL, prefix, stream: 'ticks', retention: REDIS_TICKS * 2, codec: tickCodec, blockMs: 200 });
      const store = new RedisPriceStore({ url: REDIS_URL, prefix, historyLimit: 1000, candleLimit: 500 });
      let pubsub = new MemoryPubSub();
      let pubsubKind = 'memory';
      if (existsSync(`${ROOT}dist/adapters/redis/redis-pubsub.js`)) {
        const { RedisPubSub } = await dist('adapters/redis/redis-pubsub.js');
        pubsub = new RedisPubSub({ url: REDIS_URL, prefix, codec: tickCodec });
        pubsubKind = 'redis';
      }
      try {
        await log.start();
        await store.start();
        await pubsub.start();
        out.redis = { ...(await drive({ log, store, pubsub, records })), pubsub: pubsubKind, url: REDIS_URL };
      } catch (error) {
        out.redis = { error: String(error?.message ?? error) };
      } finally {
        await Promise.allSettled([log.close(), store.close(), pubsub.close()]);
        let deleted = 0;
        for await (const keys of admin.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
          const list = Array.isArray(keys) ? keys : [keys];
          if (list.length > 0) deleted += await admin.del(list);
        }
        out.redis.keysDeleted = deleted;
      }
    }
    await admin.quit().catch(() => {});
  }
}

console.log(JSON.stringify(out));
process.exit(0);
