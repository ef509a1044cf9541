import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, deletePrefix, keysUnder, redisUrl, uniquePrefix } from '../support/redis.js';
import { startServer, type RunningServer } from '../support/server.js';
import { sleep, waitFor } from '../support/wait.js';
import { gaps, TestClient } from '../support/ws-client.js';

/**
 * Issue "Scale out over real engines": one role per process over the real Redis on 127.0.0.1,
 * with processors SIGKILLed mid-stream. Ground truth is the tick log itself, read from Redis.
 */
const SYMBOLS = Array.from({ length: 20 }, (_, i) => `T${String(i + 1).padStart(2, '0')}`);
const TOTAL = 20_000;
const prefix = uniquePrefix('distributed');
const processes: RunningServer[] = [];

const common = {
  REDIS_URL: redisUrl,
  REDIS_PREFIX: prefix,
  EVENT_LOG: 'redis',
  SYMBOLS: SYMBOLS.join(','),
  HISTORY_LIMIT: '5000',
  API_MAX_LIMIT: '5000',
  STREAM_CLAIM_IDLE_MS: '1000',
  LOG_LEVEL: 'warn',
};
const start = async (roles: string, env: Record<string, string> = {}) => {
  const server = await startServer({ ...common, ROLES: roles, LOG_LEVEL: 'info', ...env });
  processes.push(server);
  return server;
};

interface Produced {
  seq: number;
  price: number;
}

/** Every record of the tick log, per symbol, in seq order. */
async function producedTicks(): Promise<Map<string, Produced[]>> {
  const client = await adminClient();
  try {
    const bySymbol = new Map<string, Produced[]>();
    for (const key of await keysUnder(client, prefix)) {
      if ((await client.type(key)) !== 'stream') continue;
      for (const [, fields] of (await client.sendCommand(['XRANGE', key, '-', '+'])) as [string, string[]][]) {
        for (let i = 3; i < fields.length; i += 2) {
          const tick = JSON.parse(fields[i]!) as { symbol: string; seq: number; price: number };
          const list = bySymbol.get(tick.symbol) ?? [];
          list.push({ seq: tick.seq, price: tick.price });
          bySymbol.set(tick.symbol, list);
        }
      }
    }
    for (const list of bySymbol.values()) list.sort((a, b) => a.seq - b.seq);
    return bySymbol;
  } finally {
    await client.close();
  }
}

const json = async <T>(url: string): Promise<T> => (await fetch(url)).json() as Promise<T>;

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop('SIGKILL')));
  await deletePrefix(prefix);
});

describe('generator → Redis Streams → 2 processors → 2 gateways → 50 clients, processors killed 3 times', () => {
  const clients: { client: TestClient; symbols: string[] }[] = [];
  let gateways: RunningServer[] = [];

  beforeAll(async () => {
    gateways = await Promise.all([start('gateway,api'), start('gateway,api')]);
    await Promise.all([start('processor'), start('processor')]);
    for (let i = 0; i < 50; i++) {
      const symbols = [0, 1, 2, 3].map((k) => SYMBOLS[(i * 7 + k * 5) % SYMBOLS.length]!);
      const gateway = gateways[i % 2]!;
      clients.push({ client: await TestClient.connect(`${gateway.ws}?symbols=${symbols.join(',')}${i % 3 === 0 ? '&batch=1' : ''}`), symbols });
    }
  }, 150_000);

  it('applies every produced tick exactly once and every client sees every seq once, in order', async () => {
    const generator = await start('generator', { TICK_RATE: '2000', GENERATOR_MAX_TICKS: String(TOTAL) });
    // Three SIGKILLs at random moments while the ~10 s stream runs, each followed by a restart.
    const moments = [0, 1, 2].map(() => 500 + Math.random() * 8_000).sort((a, b) => a - b);
    let elapsed = 0;
    for (const at of moments) {
      await sleep(at - elapsed);
      elapsed = at;
      const processors = processes.filter((p) => p.logs.some((l) => (l.roles as string[] | undefined)?.includes('processor')) && p.process.exitCode === null && p.process.signalCode === null);
      const victim = processors[Math.floor(Math.random() * processors.length)]!;
      await victim.stop('SIGKILL');
      await start('processor');
    }
    await waitFor(() => generator.logs.some((l) => l.msg === 'generator finished'), 'the generator to finish', 60_000, 100);

    const produced = await producedTicks();
    expect([...produced.values()].reduce((n, list) => n + list.length, 0)).toBe(TOTAL);
    const api = gateways[0]!.http;
    await waitFor(async () => {
      const { quotes } = await json<{ quotes: { symbol: string; seq: number }[] }>(`${api}/api/v1/quotes`);
      return quotes.length === produced.size && quotes.every((q) => q.seq === produced.get(q.symbol)!.at(-1)!.seq);
    }, 'the store to hold the last tick of every symbol', 60_000, 200);

    for (const [symbol, list] of produced) {
      // Seqs are 1..n at the source: the log holds each once.
      expect(list.map((t) => t.seq)).toEqual(list.map((_, i) => i + 1));
      const { ticks } = await json<{ ticks: { seq: number; price: number }[] }>(`${api}/api/v1/ticks/${symbol}?limit=5000`);
      // Applied exactly once: the store's history is the log, tick for tick.
      expect(ticks.map((t) => t.seq).reverse()).toEqual(list.map((t) => t.seq));
      expect(ticks.map((t) => t.price).reverse()).toEqual(list.map((t) => t.price));
      const { data } = await json<{ data: { price: number } }>(`${api}/price/${symbol}`);
      expect(data.price).toBe(list.at(-1)!.price);
    }

    // Every client: every seq of each of its symbols, once, in order, from 1 to the last.
    await waitFor(() => clients.every(({ client, symbols }) => symbols.every((s) => client.ticks(s).at(-1)?.seq === produced.get(s)!.at(-1)!.seq)), 'every client to reach the last tick', 60_000, 100);
    for (const { client, symbols } of clients) {
      for (const s of symbols) {
        const seen = client.ticks(s);
        expect(gaps(seen)).toEqual([]);
        expect(seen[0]!.seq).toBe(1);
        expect(seen.length).toBe(produced.get(s)!.length);
      }
      expect(client.closed).toBeUndefined();
    }
  }, 180_000);
});
