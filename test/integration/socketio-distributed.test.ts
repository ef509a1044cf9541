import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, redisUrl, uniquePrefix } from '../support/redis.js';
import { startServer, type RunningServer } from '../support/server.js';
import { SocketIoTestClient } from '../support/socketio-client.js';
import { waitFor } from '../support/wait.js';

/**
 * Socket.IO in the distributed shape: two gateway processes over Redis pub/sub, and one process
 * with the api and processor roles that appends test ticks to the Redis Streams log. A tick
 * appended once reaches the Socket.IO clients of both gateways, on both transports, with its
 * place in the log.
 */

const prefix = uniquePrefix('socketio');
const engines = { REDIS_URL: redisUrl, REDIS_PREFIX: prefix, EVENT_LOG: 'redis', SYMBOLS: 'AAPL,MSFT', LOG_LEVEL: 'info' };
let source: RunningServer;
let gateways: RunningServer[] = [];
const clients: SocketIoTestClient[] = [];
/** Per symbol from 1, without holes: a gateway reads a seq gap back from the store, where ticks have no log position. */
const lastSeq = new Map<string, number>();

const ready = (server: RunningServer): Promise<boolean> =>
  waitFor(async () => (await fetch(`${server.http}/ready`)).status === 200, `${server.http}/ready`, 30_000, 100);

async function inject(symbol: string): Promise<number> {
  const seq = (lastSeq.get(symbol) ?? 0) + 1;
  lastSeq.set(symbol, seq);
  const res = await fetch(`${source.http}/api/v1/test/ticks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ticks: [{ symbol, price: 150 + (seq % 7), seq, size: 42 }] }),
  });
  expect(res.status).toBe(202);
  return seq;
}

beforeAll(async () => {
  [source, ...gateways] = await Promise.all([
    startServer({ ...engines, ROLES: 'api,processor', TEST_TICK_INJECTION: 'true' }),
    startServer({ ...engines, ROLES: 'gateway', SOCKETIO_METRICS_MS: '250' }),
    startServer({ ...engines, ROLES: 'gateway', SOCKETIO_METRICS_MS: '250' }),
  ]);
  await Promise.all([source, ...gateways].map(ready));
}, 120_000);

afterAll(async () => {
  for (const client of clients) client.close();
  await Promise.all([source, ...gateways].map((p) => p?.stop()));
  await deletePrefix(prefix);
});

describe('Socket.IO on two gateways over Redis', () => {
  it('a tick published once reaches the clients of both gateways, subscribed or not, on both transports', async () => {
    for (const gateway of gateways) {
      for (const transports of [['websocket'], ['polling']]) {
        const subscribed = await SocketIoTestClient.connect(gateway.http, { transports });
        clients.push(subscribed);
        expect(await subscribed.request('subscribe', ['AAPL'])).toEqual({ ok: true, symbols: ['AAPL'] });
        clients.push(await SocketIoTestClient.connect(gateway.http, { transports }));
      }
    }
    const seq = await inject('AAPL');
    for (const client of clients) {
      const tick = await client.waitForTick(`AAPL seq ${seq}`, (t) => t.symbol === 'AAPL' && t.seq === seq, 0, 15_000);
      expect(tick).toMatchObject({ price: 150 + (seq % 7), volume: 42 });
      // The Redis Streams log: a partition number and the entry id.
      expect(Number.isInteger(tick.partition)).toBe(true);
      expect(typeof tick.offset).toBe('string');
      expect(client.ticks.filter((t) => t.symbol === 'AAPL' && t.seq === seq)).toHaveLength(1);
    }
    // A symbol the subscribed clients did not ask for reaches only the others.
    const msft = await inject('MSFT');
    for (const [i, client] of clients.entries()) {
      if (i % 2 === 1) await client.waitForTick(`MSFT seq ${msft}`, (t) => t.seq === msft && t.symbol === 'MSFT', 0, 15_000);
    }
    const last = await inject('AAPL');
    for (const client of clients) await client.waitForTick(`AAPL seq ${last}`, (t) => t.seq === last, 0, 15_000);
    for (const [i, client] of clients.entries()) if (i % 2 === 0) expect(client.ticks.some((t) => t.symbol === 'MSFT' && t.seq === msft)).toBe(false);
  });

  it('metrics events come from each gateway and count its own clients', async () => {
    for (const client of clients) await waitFor(() => client.metrics.some((m) => m.connectedClients === 4), 'a metrics event counting the gateway’s 4 clients');
  });
});
