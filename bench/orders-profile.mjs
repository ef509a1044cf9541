// @ts-check
// Where submit → fill time goes: the orders section's load against one tickstream started with
// `node --cpu-prof`, then the profile's self time per function (bench/lib/profile-summary.mjs).
//   npm run build:server && node bench/orders-profile.mjs [count=1000] [inflight=50] [--rate=N] [--warmup=N] [--amqp] [--postgres=URL] [--profile]
// Prints the run's figures and the server's CPU time per order (user + system, from /proc; on a
// shared machine the one figure that does not depend on what else runs); --profile adds the profile.
// --rate=N: open loop, N orders offered per second (see submitToFill); inflight then only sizes the warmup.
// --warmup=N: orders before the measured ones (default 3,000, as bench/run's orders section).
// --amqp: the order queue on RabbitMQ (AMQP_URL or the local one; a queue of this run's own,
// deleted afterwards). --postgres=URL: the database on PostgreSQL at URL instead of embedded PGlite
// (the run's tables go in a schema of its own there, dropped afterwards).
import { mkdtempSync, readdirSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { submitToFill } from './lib/orders-e2e.mjs';
import { makeSymbols } from './lib/symbols.mjs';
import { startServer } from './lib/servers.mjs';

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const COUNT = Number(positional[0] ?? 1000);
const INFLIGHT = Number(positional[1] ?? 50);
const AMQP = process.argv.includes('--amqp');
const PROFILE = process.argv.includes('--profile');
const USERS = Number(process.argv.find((a) => a.startsWith('--users='))?.slice('--users='.length)) || 8;
const RATE = Number(process.argv.find((a) => a.startsWith('--rate='))?.slice('--rate='.length)) || undefined;
const POSTGRES = process.argv.find((a) => a.startsWith('--postgres='))?.slice('--postgres='.length);
const WARMUP = Number(process.argv.find((a) => a.startsWith('--warmup='))?.slice('--warmup='.length) ?? 3000);
const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const run = `${process.pid}${Date.now().toString(36)}`;
const queue = `bench.orders.profile.${run}`;
const schema = `bench_orders_${run}`;

async function admin(sql) {
  const client = new pg.Client({ connectionString: POSTGRES });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'orders-profile-'));
const symbols = makeSymbols(4);
if (POSTGRES) await admin(`CREATE SCHEMA ${schema}`);
/** @type {any} */
let server;
let cpu0 = 0;
try {
  server = await startServer('tickstream', {
    symbols,
    rate: 2000,
    nodeArgs: PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [],
    env: {
      ROLES: 'generator,processor,gateway,api,orders',
      DATA_DIR: 'memory',
      PAPER_STARTING_CASH: '1000000000',
      AUTH_REGISTRATIONS_PER_IP: '1000',
      LOG_LEVEL: 'warn',
      ...(AMQP ? { AMQP_URL, ORDER_QUEUE: queue } : {}),
      ...(POSTGRES ? { DATABASE_URL: `${POSTGRES}${POSTGRES.includes('?') ? '&' : '?'}options=-c%20search_path%3D${schema}` } : {}),
    },
  });
  const r = await submitToFill({ port: server.port, count: COUNT, inflight: INFLIGHT, rate: RATE, users: USERS, symbols, warmup: WARMUP, onMeasureStart: () => (cpu0 = server.cpu()) });
  const cpuMsPerOrder = ((server.cpu() - cpu0) * 1000) / r.filled;
  console.log(JSON.stringify({ amqp: AMQP, postgres: Boolean(POSTGRES), loadavg: loadavg().map((l) => l.toFixed(1)).join(' '), ...r, cpuMsPerOrder }));
} finally {
  await server?.stop();
  if (AMQP) {
    const { default: amqplib } = await import('amqplib');
    const c = await amqplib.connect(AMQP_URL);
    const ch = await c.createChannel();
    for (const q of [queue, `${queue}.dead`, ...Array.from({ length: 10 }, (_, i) => `${queue}.retry.${i + 1}`)]) await ch.deleteQueue(q);
    await c.close();
  }
  if (POSTGRES) await admin(`DROP SCHEMA ${schema} CASCADE`);
}
const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
if (file) {
  console.log(`profile: ${join(dir, file)}`);
  spawnSync(process.execPath, [new URL('./lib/profile-summary.mjs', import.meta.url).pathname, join(dir, file), '40'], { stdio: 'inherit' });
}
