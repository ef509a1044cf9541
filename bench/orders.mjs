// @ts-check
// Order command path: publish (confirmed) → consumer handler, through the OrderQueue adapters
// (in memory and RabbitMQ) beside a raw amqplib publish-confirm/consume baseline, in one run.
// Not the full submit → fill over REST (that adds HTTP, the database and a tick): see README.
//   npm run build:server && node bench/orders.mjs [count=2000] [inflight=50] [--json]
// `--json`: one JSON line (`{count, inflight, rows: [{path, perSecond, p50, p99}]}`), for bench/run.mjs's
// `orders` section, which puts these rows beside its own submit → fill measurement.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import amqplib from 'amqplib';
import { MemoryOrderQueue } from '../dist/adapters/memory/memory-order-queue.js';
import { RabbitOrderQueue } from '../dist/adapters/rabbitmq/rabbitmq-order-queue.js';
import { createLogger } from '../dist/observability/logger.js';

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const JSON_OUT = process.argv.includes('--json');
const COUNT = Number(positional[0] ?? 2000);
const INFLIGHT = Number(positional[1] ?? 50);
const URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const codec = { encode: (m) => JSON.stringify(m), decode: (raw) => JSON.parse(raw.toString()) };
const policy = { maxAttempts: 3, baseDelayMs: 1000 };

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** Publishes COUNT messages with at most INFLIGHT unconfirmed; latency = handler time − publish start. */
async function drive(publish, subscribe) {
  const started = new Map();
  const latencies = [];
  let done;
  const all = new Promise((resolve) => (done = resolve));
  await subscribe((n) => {
    latencies.push(performance.now() - started.get(n));
    if (latencies.length === COUNT) done();
  });
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: INFLIGHT }, async () => {
      while (next < COUNT) {
        const n = next++;
        started.set(n, performance.now());
        await publish(n);
      }
    }),
  );
  await all;
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return { perSecond: Math.round(COUNT / seconds), p50: pct(latencies, 50).toFixed(1), p99: pct(latencies, 99).toFixed(1) };
}

async function viaAdapter(queue) {
  await queue.start();
  /** @type {{ stop(): Promise<void> } | undefined} */
  let consumer;
  try {
    return await drive(
      (n) => queue.publish({ n }, { id: String(n) }),
      async (on) => (consumer = await queue.consume(async (d) => on(d.body.n), { prefetch: 100 })),
    );
  } finally {
    await consumer?.stop();
    await queue.close();
  }
}

async function rawAmqplib(name) {
  // noDelay as the adapter sets it (amqplib's default leaves Nagle's algorithm on: ~40 ms per confirm).
  const connection = await amqplib.connect(URL, { noDelay: true });
  const pub = await connection.createConfirmChannel();
  const sub = await connection.createChannel();
  await pub.assertQueue(name, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await sub.prefetch(100);
  try {
    return await drive(
      (n) =>
        new Promise((/** @type {(value?: unknown) => void} */ resolve, reject) => pub.sendToQueue(name, Buffer.from(JSON.stringify({ n })), { persistent: true }, (err) => (err ? reject(err) : resolve()))),
      (on) =>
        sub.consume(name, (m) => {
          if (m === null) return; // the queue was deleted under the consumer
          on(JSON.parse(m.content.toString()).n);
          sub.ack(m);
        }),
    );
  } finally {
    await pub.deleteQueue(name);
    await connection.close();
  }
}

const run = randomUUID().slice(0, 8);
const logger = createLogger({ level: 'silent', format: 'json' });
const rabbit = new RabbitOrderQueue(codec, { url: URL, queue: `bench.orders.${run}`, retry: policy, connectionName: `tickstream-bench-${run}`, logger });
/** @type {[string, { perSecond: number, p50: string, p99: string }][]} */
const rows = [
  ['OrderQueue memory', await viaAdapter(new MemoryOrderQueue(codec, policy))],
  ['OrderQueue RabbitMQ', await viaAdapter(rabbit)],
  ['raw amqplib (baseline)', await rawAmqplib(`bench.raw.${run}`)],
];
// The adapter's queues (work, retries, dead letters) are this run's own: delete them.
const c = await amqplib.connect(URL);
const ch = await c.createChannel();
for (const q of rabbit.names.all()) await ch.deleteQueue(q);
await c.close();

if (JSON_OUT) {
  console.log(JSON.stringify({ count: COUNT, inflight: INFLIGHT, rows: rows.map(([path, r]) => ({ path, perSecond: r.perSecond, p50: Number(r.p50), p99: Number(r.p99) })) }));
  process.exit(0);
}
console.log(`${COUNT} messages, ${INFLIGHT} publishes in flight, quorum queues, persistent messages, prefetch 100`);
console.log('| Path | msgs/s | p50 ms | p99 ms |\n|---|---|---|---|');
for (const [name, r] of rows) console.log(`| ${name} | ${r.perSecond} | ${r.p50} | ${r.p99} |`);
