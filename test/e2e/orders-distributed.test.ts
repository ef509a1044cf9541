import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectLedgerIsReplayOfFills, privateDatabase, register, restClient, type Order, type Rest } from '../support/paper-trading.js';
import { amqpUrl, closeConnectionsNamed, deleteQueues, queueDepth } from '../support/rabbitmq.js';
import { deletePrefix, redisUrl, uniquePrefix } from '../support/redis.js';
import { startServer, type RunningServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';

/**
 * Paper trading in the distributed shape: the api and gateway in one process, the orders role
 * (`ROLES=orders`) in others, sharing PostgreSQL (a database of this run's own), RabbitMQ (queues
 * of this run's own) and Redis (the tick log, prices and user events under a prefix of this run's
 * own). Ticks go in through the api's test route, so prices and seqs are known. The orders
 * processes are SIGKILLed mid-stream, their broker connections closed by name, and two of them
 * race on the same queue, log and ledger; what the API shows afterwards must be a ledger with
 * nothing lost and nothing filled twice.
 */
const RUN = randomUUID().replaceAll('-', '').slice(0, 10);
const QUEUE = `tickstream.e2e.${RUN}.dist-orders`;
const PREFIX = uniquePrefix('orders-dist');
// Not the default (100,000): the ledger replay below shows the setting took effect.
const STARTING_CASH = 250_000;

let database: { url: string; drop(): Promise<void> };
let gateway: RunningServer;
let api: Rest;
const processes: RunningServer[] = [];
let seq = 0;
let ordersStarted = 0;

const common = (): Record<string, string> => ({
  SYMBOLS: 'AAPL,MSFT',
  DATABASE_URL: database.url,
  AMQP_URL: amqpUrl,
  ORDER_QUEUE: QUEUE,
  REDIS_URL: redisUrl,
  REDIS_PREFIX: PREFIX,
  EVENT_LOG: 'redis',
  // A killed member's partitions (and what it held unacknowledged) pass to another after this long.
  STREAM_CLAIM_IDLE_MS: '1000',
  ORDERS_REFRESH_MS: '300',
  PAPER_STARTING_CASH: String(STARTING_CASH),
});

/** One `ROLES=orders` process; its broker connection is named after it, so it alone can be closed. */
async function startOrders(): Promise<{ server: RunningServer; connection: string }> {
  const connection = `tickstream-e2e-${RUN}-orders-${++ordersStarted}`;
  const server = await startServer({ ...common(), ROLES: 'orders', AMQP_CONNECTION_NAME: connection });
  processes.push(server);
  return { server, connection };
}

interface Tick {
  symbol: string;
  price: number;
  size: number;
  seq?: number;
}

/** Appends ticks to the log through the api; a tick without `seq` gets the next one. */
const inject = async (ticks: Tick[]): Promise<Tick[]> => {
  const numbered = ticks.map((t) => ({ ...t, seq: t.seq ?? ++seq }));
  const res = await api('POST', '/api/v1/test/ticks', undefined, { ticks: numbered });
  expect(res.status).toBe(202);
  return numbered;
};

const submit = async (token: string, symbol: string, key: string): Promise<number> => {
  const res = await api<Order>('POST', '/api/v1/orders', token, { symbol, side: 'buy', type: 'limit', limitPrice: 200, quantity: 5, timeInForce: 'gtc' }, { 'idempotency-key': key });
  // 201: committed, and its command confirmed by the broker unless the api logged otherwise
  // (then the orders role picks it up from the database): `expectQueueKeptItsPromises` checks.
  expect(res.status).toBe(201);
  return res.body.id;
};

/** Ticks of `size` shares on each symbol until none of `ids` is open (each tick fills a little). */
async function tradeUntilFilled(token: string, ids: readonly number[], symbols: readonly string[]): Promise<void> {
  await waitFor(async () => {
    await inject(symbols.map((symbol) => ({ symbol, price: 150, size: 3 })));
    const open = await api<{ orders: Order[] }>('GET', '/api/v1/orders?status=open&limit=1000', token);
    return open.body.orders.every((o) => !ids.includes(o.id));
  }, 'every order filled', 90_000, 300);
}

/**
 * The queue's side of "nothing lost": every 201 was a confirmed publish (the api logged no command
 * it could not confirm), nothing went to the dead-letter queue, and every command was consumed.
 */
async function expectQueueKeptItsPromises(): Promise<void> {
  expect(gateway.logs.filter((l) => String(l.msg).startsWith('order command not confirmed'))).toEqual([]);
  expect(await queueDepth(`${QUEUE}.dead`)).toBe(0);
  await waitFor(async () => (await queueDepth(QUEUE)) === 0, 'every order command consumed', 30_000, 200);
}

const API_CONNECTION = `tickstream-e2e-${RUN}-api`;

beforeAll(async () => {
  database = await privateDatabase('orders_dist');
  gateway = await startServer({ ...common(), ROLES: 'processor,gateway,api', TEST_TICK_INJECTION: 'true', AMQP_CONNECTION_NAME: API_CONNECTION });
  processes.push(gateway);
  api = restClient(gateway.http);
  await waitFor(async () => (await fetch(`${gateway.http}/ready`)).status === 200, 'the api ready', 60_000, 100);
}, 120_000);

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop('SIGKILL')));
  await deleteQueues([QUEUE, `${QUEUE}.dead`, ...[1, 2, 3, 4].map((n) => `${QUEUE}.retry.${n}`)]).catch(() => undefined);
  await deletePrefix(PREFIX);
  await database?.drop();
});

describe('paper trading with the orders role in its own processes', () => {
  it('SIGKILL mid-stream, restart, and its broker connection closed: no confirmed order lost, no fill twice, the ledger replays the fills', async () => {
    let orders = await startOrders();
    const alice = await register(api, 'alice');
    await inject([{ symbol: 'AAPL', price: 100, size: 1_000 }]);
    const ids: number[] = [];
    const ticks: Tick[] = [];
    for (let i = 0; i < 15; i++) {
      ids.push(await submit(alice.token, 'AAPL', `crash-${i}`));
      // Size 2 against orders of 5: each order fills over several ticks, so every disruption lands mid-fill.
      ticks.push(...(await inject([{ symbol: 'AAPL', price: 100 + i / 100, size: 2 }])));
      if (i === 4) expect(await closeConnectionsNamed(orders.connection)).toBeGreaterThan(0);
      if (i === 9) {
        expect((await orders.server.stop('SIGKILL')).signal).toBe('SIGKILL');
        // Orders submitted while no orders process runs wait in the queue and the database.
      }
    }
    // The five confirmed while no orders process ran are on the broker, not only in the database
    // (which the orders role would also find them in): the api's own connection closed too, the
    // queue still holds them — confirmed-but-lost is counted here, not masked by the re-read.
    expect(await closeConnectionsNamed(API_CONNECTION)).toBeGreaterThan(0);
    expect(await queueDepth(QUEUE)).toBeGreaterThanOrEqual(5);
    orders = await startOrders();
    // The same keys again after the crash: the same orders.
    for (let i = 0; i < 15; i++) expect((await api<Order>('POST', '/api/v1/orders', alice.token, { symbol: 'AAPL', side: 'buy', type: 'limit', limitPrice: 200, quantity: 5, timeInForce: 'gtc' }, { 'idempotency-key': `crash-${i}` })).body.id).toBe(ids[i]);
    // A replayed log: every tick again, under new entries, with the seqs they had.
    await inject(ticks);
    await tradeUntilFilled(alice.token, ids, ['AAPL']);
    await expectLedgerIsReplayOfFills(api, alice.token, ids, 5, STARTING_CASH);
    await expectQueueKeptItsPromises();
  }, 240_000);

  it('two orders processes racing on one queue, log and ledger, one of them killed and restarted: no fill twice, none lost', async () => {
    const racers = [await startOrders(), await startOrders()];
    const bob = await register(api, 'bob');
    await inject([{ symbol: 'MSFT', price: 50, size: 1_000 }, { symbol: 'AAPL', price: 100, size: 1_000 }]);
    // Submitted together: the commands split between the two consumers, and both processes find
    // the orders in the database on their refresh too, so they race to accept and to fill them.
    const symbols = ['AAPL', 'MSFT'];
    const ids = await Promise.all(Array.from({ length: 24 }, (_, i) => submit(bob.token, symbols[i % 2]!, `race-${i}`)));
    await inject(symbols.map((symbol) => ({ symbol, price: 101, size: 2 })));
    expect((await racers[0]!.server.stop('SIGKILL')).signal).toBe('SIGKILL');
    await inject(symbols.map((symbol) => ({ symbol, price: 102, size: 2 })));
    racers.push(await startOrders());
    await tradeUntilFilled(bob.token, ids, symbols);
    const fills = await expectLedgerIsReplayOfFills(api, bob.token, ids, 5, STARTING_CASH);

    // Each process logs a fill after its commit: across all of them, no (order, seq) twice, and
    // none that the ledger does not hold.
    const audited = racers.flatMap((r) => r.server.logs.filter((l) => l.audit === 'order.filled' && l.userId === bob.id).map((l) => `${String(l.orderId)}/${String(l.seq)}`));
    expect(audited.length).toBe(new Set(audited).size);
    const recorded = new Set(fills.map((f) => `${f.orderId}/${f.seq}`));
    expect(audited.filter((a) => !recorded.has(a))).toEqual([]);
    await expectQueueKeptItsPromises();
  }, 240_000);
});
