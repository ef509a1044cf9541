// @ts-check
// Orders end to end — POST /api/v1/orders → the `filled` order message on the owner's socket — on a
// tickstream with the api and orders roles: its order queue in memory and then on RabbitMQ (a queue
// of this run's own, deleted afterwards), on the embedded database and then on PostgreSQL, closed
// loop and open loop at the aim's rate; beside bench/orders.mjs in the same run: the queue leg
// alone through each OrderQueue adapter and a raw amqplib publish-confirm/consume baseline.
import pg from 'pg';
import { submitToFill } from '../../lib/orders-e2e.mjs';
import { LOAD_CORE } from '../../lib/proc.mjs';
import { f0, ms, table } from '../../lib/report.mjs';
import { startServer } from '../../lib/servers.mjs';
import { makeSymbols } from '../../lib/symbols.mjs';
import { ROOT } from '../context.mjs';
import { runJsonChild } from './child-json.mjs';

/** Market buys of one share over REST, spread over accounts; fills come from ticks. */
const ORDERS = {
  symbols: 4,
  users: 8,
  tickRate: 2000,
  /**
   * Orders before the measured ones, not counted: a fresh server's JIT and a fresh schema's plans
   * take seconds to settle — after 1,000, the next two seconds at the aim's rate still showed p99
   * ~70 ms against ~40 after (bench/README.md).
   */
  warmup: 3000,
  /** The aim's rate: offered open loop, its latency counted from when each order was due. */
  offered: 1000,
  amqpUrl: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  /** The machine's PostgreSQL; the run's tables go in a schema of its own there, dropped afterwards. */
  postgresUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
};

/**
 * The runs, in order: the embedded default (in-process queue, then RabbitMQ), then RabbitMQ with
 * PostgreSQL (the distributed shape's engines) closed loop and open loop at the aim's rate.
 * @type {{ queue: 'memory' | 'rabbitmq', database: 'pglite' | 'postgres', offered?: number }[]}
 */
const RUNS = [
  { queue: 'memory', database: 'pglite' },
  { queue: 'rabbitmq', database: 'pglite' },
  { queue: 'rabbitmq', database: 'postgres' },
  { queue: 'rabbitmq', database: 'postgres', offered: ORDERS.offered },
];

/** @param {import('../context.mjs').BenchRun} run */
export async function sectionOrders({ options, log }) {
  const count = options.quick ? 300 : 6000;
  const inflight = options.quick ? 20 : 50;
  /** @type {{ e2e: any[], queueLeg?: any, queueLegError?: string, tickRate: number, symbols: number }} */
  const out = { e2e: [], tickRate: ORDERS.tickRate, symbols: ORDERS.symbols };
  const symbols = makeSymbols(ORDERS.symbols);
  const queueName = `bench.orders.e2e.${process.pid}.${Date.now().toString(36)}`;
  for (const { queue, database, offered } of RUNS) {
    const schema = `bench_orders_${process.pid}_${out.e2e.length}`;
    const env = {
      ROLES: 'generator,processor,gateway,api,orders',
      DATA_DIR: 'memory',
      PAPER_STARTING_CASH: '1000000000',
      // Every account of the run registers from this one address.
      AUTH_REGISTRATIONS_PER_IP: '1000',
      LOG_LEVEL: 'warn',
      ...(queue === 'rabbitmq' ? { AMQP_URL: ORDERS.amqpUrl, ORDER_QUEUE: queueName } : {}),
      ...(database === 'postgres' ? { DATABASE_URL: withSearchPath(ORDERS.postgresUrl, schema) } : {}),
    };
    /** @type {Record<string, any>} */
    const r = { label: `submit → fill, ${queue === 'rabbitmq' ? 'RabbitMQ' : 'in-process queue'}, ${database === 'postgres' ? 'PostgreSQL' : 'PGlite'}${offered ? `, ${f0(offered)}/s offered` : ''}`, queue, database };
    /** @type {any} */
    let server;
    try {
      if (database === 'postgres') await postgres(ORDERS.postgresUrl, `CREATE SCHEMA ${schema}`);
      server = await startServer('tickstream', { symbols, rate: ORDERS.tickRate, env });
      Object.assign(r, await submitToFill({ port: server.port, count, inflight, rate: offered, users: ORDERS.users, symbols, warmup: options.quick ? 300 : ORDERS.warmup }));
      log(`${r.label}: ${f0(r.perSecond)} orders/s, p50 ${ms(r.p50)} p99 ${ms(r.p99)} ms (${r.filled}/${r.orders} filled, ${r.failed} refused, ${r.timedOut} timed out)`);
    } catch (error) {
      r.error = error instanceof Error ? error.message : String(error);
      log(`${r.label}: failed: ${r.error}`);
    } finally {
      await server?.stop();
      if (database === 'postgres') await postgres(ORDERS.postgresUrl, `DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch((error) => log(`orders: could not drop ${schema}: ${error instanceof Error ? error.message : String(error)}`));
    }
    out.e2e.push(r);
  }
  await deleteQueues(queueName).catch((error) => log(`orders: could not delete ${queueName}*: ${error instanceof Error ? error.message : String(error)}`));
  const leg = await runJsonChild({ core: String(LOAD_CORE), script: `${ROOT}bench/orders.mjs`, args: [String(count), String(inflight), '--json'], what: 'orders' });
  if (leg.error) out.queueLegError = leg.error;
  else out.queueLeg = leg;
  for (const row of out.queueLeg?.rows ?? []) log(`orders, queue leg: ${row.path}: ${f0(row.perSecond)} msgs/s, p50 ${ms(row.p50)} p99 ${ms(row.p99)} ms`);
  return out;
}

/** `url` with the run's schema first on the search path, where the server's migrations create its tables. */
function withSearchPath(url, schema) {
  return `${url}${url.includes('?') ? '&' : '?'}options=-c%20search_path%3D${schema}`;
}

/** One statement on PostgreSQL at `url`. @param {string} url @param {string} statement */
async function postgres(url, statement) {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {}); // a dropped connection fails the query below
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** The order queue of a run and what the adapter declares beside it (retries, dead letters). @param {string} name */
async function deleteQueues(name) {
  const { default: amqplib } = await import('amqplib');
  const connection = await amqplib.connect(ORDERS.amqpUrl);
  connection.on('error', () => {});
  try {
    const channel = await connection.createChannel();
    // Deleting a queue that does not exist is not an error on RabbitMQ.
    for (const q of [name, `${name}.dead`, ...Array.from({ length: 10 }, (_, i) => `${name}.retry.${i + 1}`)]) await channel.deleteQueue(q);
  } finally {
    await connection.close();
  }
}

/** @param {any} o the orders section's result */
export function ordersTable(o) {
  const rows = o.e2e.map((/** @type {any} */ r) => [r.label, r.error ? '–' : f0(r.perSecond), ms(r.p50), ms(r.p99), r.error ?? `${r.filled}/${r.orders} filled, ${r.failed} refused, ${r.timedOut} timed out; ${r.offered ? `open loop at ${f0(r.offered)}/s` : `${r.inflight} in flight`} over ${r.users} accounts; REST answer p50 ${ms(r.answerP50)} p99 ${ms(r.answerP99)} ms`]);
  for (const row of o.queueLeg?.rows ?? []) rows.push([`queue leg: ${row.path}`, f0(row.perSecond), ms(row.p50), ms(row.p99), `publish (confirmed) → consumer handler; ${o.queueLeg.count} messages, ${o.queueLeg.inflight} in flight`]);
  if (o.queueLegError) rows.push(['queue leg', '–', '–', '–', o.queueLegError]);
  return table(['Path', 'Orders/s', 'p50 ms', 'p99 ms', 'Notes'], rows);
}
