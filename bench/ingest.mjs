// @ts-check
// Ingest: ticks/s through generator → log → processor → store, with tickstream's own classes from
// dist/. The generator makes ticks with the market model and appends them as fast as the log takes
// them while one processor consumes; the clock runs from the first append until the store has
// applied every tick.
//   node bench/ingest.mjs --memory 1000000 --redis 100000 --kafka 100000 [--symbols 100]
//     [--redis-url redis://127.0.0.1:6379/15] [--kafka-brokers 127.0.0.1:9092]
// Memory: everything in this thread, as `npm start` runs it. Redis Streams and Kafka: the generator
// in a worker thread (a process of its own in a deployment), the processor in this one, the engine
// on the machine (Kafka: `npm run kafka:up`). The store is Redis in both distributed rows.
// Prints one JSON line.
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const dist = (p) => import(`${ROOT}dist/${p}`);
const CHUNK = 1000;

/** The market model over `count` symbols, seeded: every run makes the same ticks. */
async function market(count) {
  const { Market } = await dist('domain/price-model.js');
  const { seededRandom } = await dist('domain/random.js');
  const symbols = Array.from({ length: count }, (_, i) => `SYM${String(i).padStart(3, '0')}`);
  return new Market(
    symbols.map((symbol) => ({ symbol, basePrice: 100, drift: 0.05, volatility: 0.3 })),
    seededRandom(42),
    { speed: 60, source: 'bench' },
  );
}

/** Generates `total` ticks a chunk at a time and appends each chunk, as GeneratorService does. */
async function generateInto(log, total, symbols) {
  const m = await market(symbols);
  const started = performance.now();
  for (let made = 0; made < total; made += CHUNK) {
    const n = Math.min(CHUNK, total - made);
    const now = Date.now();
    const records = new Array(n);
    for (let i = 0; i < n; i++) {
      const tick = m.next(now);
      records[i] = { key: tick.symbol, value: tick };
    }
    await log.append(records);
  }
  return total / ((performance.now() - started) / 1000);
}

async function redisLog(url, prefix, retention) {
  const { RedisStreamsEventLog } = await dist('adapters/redis/redis-streams-event-log.js');
  const { tickCodec } = await dist('adapters/codec.js');
  return new RedisStreamsEventLog({ url, prefix, stream: 'ticks', retention, codec: tickCodec, blockMs: 200 });
}

/** A fresh topic per run on the local broker, as EVENT_LOG=kafka creates it (8 partitions, acks=all). */
async function kafkaLog(brokers, topic) {
  const { KafkaEventLog } = await dist('adapters/kafka/kafka-event-log.js');
  const { tickCodec } = await dist('adapters/codec.js');
  return new KafkaEventLog({ brokers, topic, partitions: 8, replication: 1, codec: tickCodec, clientId: `bench-${process.pid}` });
}

if (!isMainThread) {
  // The generator: its own thread and event loop, like a generator process.
  const { engine, url, prefix, brokers, topic, ticks, symbols } = workerData;
  const log = engine === 'kafka' ? await kafkaLog(brokers, topic) : await redisLog(url, prefix, ticks * 2);
  await log.start();
  const appendPerSecond = await generateInto(log, ticks, symbols);
  await log.close();
  parentPort?.postMessage({ appendPerSecond });
} else {
  await main();
}

async function main() {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const MEMORY_TICKS = Number(opt('memory', 1_000_000));
  const REDIS_TICKS = Number(opt('redis', 100_000));
  const REDIS_URL = opt('redis-url', 'redis://127.0.0.1:6379/15');
  const KAFKA_TICKS = Number(opt('kafka', 0));
  const KAFKA_BROKERS = opt('kafka-brokers', '127.0.0.1:9092');
  const SYMBOLS = Number(opt('symbols', 100));
  // Not unref'd: a run that cannot finish (ticks lost before they were applied) must still say so.
  setTimeout(() => {
    console.log(JSON.stringify({ error: 'ingest benchmark timed out' }));
    process.exit(1);
  }, Number(opt('timeout-ms', 120_000)));

  const { ProcessorService } = await dist('services/processor.js');
  // The processor's batch limit as `npm start` has it (PROCESSOR_MAX_BATCH).
  const { loadConfig } = await dist('config/load.js');
  const { processorMaxBatch, eventLogRetention } = loadConfig({});
  const { createMetrics } = await dist('observability/metrics.js');
  const { MemoryPubSub } = await dist('adapters/memory/memory-pubsub.js');
  const quiet = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, fatal() {}, child: () => quiet };

  /**
   * Starts a processor, runs `produce`, resolves when the store applied `total` ticks. With
   * `backlog`, the ticks are all appended first and the clock times the processor alone.
   */
  async function drive({ log, store, pubsub, total, produce, backlog = false }) {
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
    const processor = new ProcessorService({ log, store, pubsub, maxBatch: processorMaxBatch, metrics, logger: quiet, group: `bench-${process.pid}` });
    const appendedFirst = backlog ? await produce() : undefined;
    await processor.start();
    const cpu = process.cpuUsage();
    const started = performance.now();
    const appendPerSecond = appendedFirst ?? (await produce());
    await finished;
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    await processor.stop();
    const accepted = (await metrics.ticksAccepted.get()).values[0]?.value ?? 0;
    return { ticks: total, symbols: SYMBOLS, maxBatch: processorMaxBatch, seconds, perSecond: total / seconds, appendPerSecond, accepted, cpuSeconds: (used.user + used.system) / 1e6 };
  }

  const out = {};

  if (MEMORY_TICKS > 0) {
    const { MemoryEventLog } = await dist('adapters/memory/memory-event-log.js');
    const { MemoryPriceStore } = await dist('adapters/memory/memory-price-store.js');
    // The generator alone, for reference: what making the ticks costs.
    const m = await market(SYMBOLS);
    const t0 = performance.now();
    for (let i = 0; i < MEMORY_TICKS; i++) m.next(Date.now());
    const generatorPerSecond = MEMORY_TICKS / ((performance.now() - t0) / 1000);
    const log = new MemoryEventLog({ partitions: 8, retention: eventLogRetention });
    const store = new MemoryPriceStore({ historyLimit: 1000, candleLimit: 500 });
    const result = await drive({ log, store, pubsub: new MemoryPubSub(), total: MEMORY_TICKS, produce: () => generateInto(log, MEMORY_TICKS, SYMBOLS) });
    out.memory = { ...result, generatorPerSecond };
  }

  if (REDIS_TICKS > 0) {
    out.redis = await redisIngest(REDIS_URL, REDIS_TICKS, SYMBOLS, drive, MemoryPubSub, false);
    // The processor's own capacity: draining a backlog, without the generator on the same cores.
    if (out.redis.perSecond) out.redisBacklog = await redisIngest(REDIS_URL, REDIS_TICKS, SYMBOLS, drive, MemoryPubSub, true);
  }

  if (KAFKA_TICKS > 0) {
    out.kafka = await redisIngest(REDIS_URL, KAFKA_TICKS, SYMBOLS, drive, MemoryPubSub, false, KAFKA_BROKERS);
    if (out.kafka.perSecond) out.kafkaBacklog = await redisIngest(REDIS_URL, KAFKA_TICKS, SYMBOLS, drive, MemoryPubSub, true, KAFKA_BROKERS);
  }

  console.log(JSON.stringify(out));
  process.exit(0);
}

/**
 * Generator → log → one processor → Redis store. The log is Redis Streams, or a fresh Kafka topic
 * when `kafkaBrokers` is given (deleted afterwards).
 */
async function redisIngest(url, total, symbols, drive, MemoryPubSub, backlog, kafkaBrokers) {
  const have = ['adapters/redis/redis-streams-event-log.js', 'adapters/redis/redis-price-store.js'].every((p) => existsSync(`${ROOT}dist/${p}`));
  if (!have) return { skipped: 'the Redis adapters are not built' };
  const { createClient } = await import('redis');
  const admin = createClient({ url, socket: { reconnectStrategy: false, connectTimeout: 2000 } });
  admin.on('error', () => {});
  try {
    await admin.connect();
    await admin.ping();
  } catch {
    return { skipped: `no Redis answers at ${url}` };
  }
  const prefix = `bench-ingest:${process.pid}:${Date.now()}:`;
  const { RedisPriceStore } = await dist('adapters/redis/redis-price-store.js');
  const { RedisPubSub } = await dist('adapters/redis/redis-pubsub.js');
  const { tickCodec } = await dist('adapters/codec.js');
  const engine = kafkaBrokers ? 'kafka' : 'redis';
  const topic = `bench-ingest-${process.pid}-${Date.now()}`;
  let log;
  try {
    log = kafkaBrokers ? await kafkaLog(kafkaBrokers, topic) : await redisLog(url, prefix, total * 2);
    await log.start();
  } catch (error) {
    await admin.quit().catch(() => {});
    return { skipped: `no ${engine} log: ${error instanceof Error ? error.message : String(error)}` };
  }
  const store = new RedisPriceStore({ url, prefix, historyLimit: 1000, candleLimit: 500 });
  const pubsub = existsSync(`${ROOT}dist/adapters/redis/redis-pubsub.js`) ? new RedisPubSub({ url, prefix, codec: tickCodec }) : new MemoryPubSub();
  const redisCpu = async () => {
    const info = await admin.info('cpu');
    const value = (name) => Number(info.match(new RegExp(`^${name}:([\\d.]+)`, 'm'))?.[1] ?? 0);
    return value('used_cpu_sys') + value('used_cpu_user');
  };
  let out;
  try {
    await store.start();
    await pubsub.start();
    const cpuBefore = await redisCpu();
    const produce = () =>
      new Promise((resolve, reject) => {
        const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { engine, url, prefix, brokers: kafkaBrokers, topic, ticks: total, symbols } });
        worker.once('message', (m) => resolve(m.appendPerSecond));
        worker.once('error', reject);
      });
    const result = await drive({ log, store, pubsub, total, produce, backlog });
    out = { ...result, log: engine, redisCpuSeconds: (await redisCpu()) - cpuBefore, pubsub: pubsub instanceof MemoryPubSub ? 'memory' : 'redis', url, ...(kafkaBrokers ? { brokers: kafkaBrokers } : {}) };
  } catch (error) {
    out = { error: error instanceof Error ? error.message : String(error) };
  } finally {
    await Promise.allSettled([log.close(), store.close(), pubsub.close()]);
    let deleted = 0;
    for await (const keys of admin.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
      const list = Array.isArray(keys) ? keys : [keys];
      if (list.length > 0) deleted += await admin.del(list);
    }
    out.keysDeleted = deleted;
    if (kafkaBrokers) await deleteTopic(kafkaBrokers, topic);
    await admin.quit().catch(() => {});
  }
  return out;
}

async function deleteTopic(brokers, topic) {
  const { Admin } = await import('@platformatic/kafka');
  const admin = new Admin({ clientId: 'bench-cleanup', bootstrapBrokers: brokers.split(',') });
  await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  await admin.close().catch(() => {});
}
