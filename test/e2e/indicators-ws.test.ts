import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, redisUrl, uniquePrefix } from '../support/redis.js';
import { startServer, type RunningServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { TestClient, type ServerMessage } from '../support/ws-client.js';

type Value = number | Record<string, number>;
type Series = Record<string, { time: number; value: Value }[]>;
interface Update {
  type: 'indicator';
  symbol: string;
  interval: string;
  time: number;
  values: Record<string, Value>;
  id?: unknown;
}

const T0 = Date.UTC(2024, 0, 2, 15, 0, 0);
const STREAMS = ['1s:sma:9', '1s:rsi:14', '1s:macd:12:26:9', '1s:bb:20:2'];
const NAMES = STREAMS.map((s) => s.slice(3));

/**
 * A finite, known market the test feeds through TEST_TICK_INJECTION: for each second in
 * [from, to), three AAPL ticks and one MSFT tick, so every 1s candle closes when the next opens.
 */
class Market {
  private seq = { AAPL: 0, MSFT: 0 };
  private price = 100;

  constructor(private readonly api: () => RunningServer) {}

  async seconds(from: number, to: number): Promise<void> {
    const ticks = [];
    for (let s = from; s < to; s++) {
      for (let k = 0; k < 3; k++) {
        this.price = Math.round(this.price * (1 + Math.sin(s * 1.3 + k) / 150) * 100) / 100;
        ticks.push({ symbol: 'AAPL', price: this.price, size: 100 + k * 10, seq: ++this.seq.AAPL, ts: T0 + s * 1000 + k * 300 });
      }
      ticks.push({ symbol: 'MSFT', price: 2 * this.price, size: 50, seq: ++this.seq.MSFT, ts: T0 + s * 1000 });
    }
    const res = await fetch(`${this.api().http}/api/v1/test/ticks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ticks }) });
    expect(res.status).toBe(202);
  }
}

async function rest(api: RunningServer, names: readonly string[], limit = 100): Promise<Series> {
  const res = await fetch(`${api.http}/api/v1/indicators/AAPL?interval=1s&names=${names.join(',')}&limit=${limit}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { indicators: Series }).indicators;
}

/** Waits until the analytics role stored the candle of second `s` (the last one fed) for AAPL. */
async function analysed(api: RunningServer, s: number): Promise<void> {
  await waitFor(async () => (await rest(api, ['vwap'], 1)).vwap?.at(-1)?.time === T0 + s * 1000, `AAPL's 1s candle of second ${s} analysed`, 30_000, 50);
}

const updates = (client: TestClient, after = 0): Update[] => client.messages.slice(after).filter((m): m is ServerMessage & Update => m.type === 'indicator');
const reply = async (client: TestClient, id: string): Promise<Record<string, unknown>> =>
  (await client.waitForMessage((m) => (m as { id?: unknown }).id === id && m.type !== 'indicator_snapshot', `the reply to ${id}`)) as Record<string, unknown>;

/**
 * The scenario both shapes run: a snapshot equal to REST, then updates whose last values per
 * candle equal what REST serves once the market stops. `api` takes ticks and answers REST; the
 * gateway may be another process.
 */
async function snapshotThenUpdates(market: Market, api: RunningServer, gateway: RunningServer): Promise<void> {
  await market.seconds(0, 30);
  await analysed(api, 29);
  const client = await TestClient.connect(`${gateway.ws}?symbols=`);
  try {
    client.send({ action: 'subscribe', indicators: { aapl: STREAMS }, limit: 100, id: 'sub' });
    const ack = await reply(client, 'sub');
    expect(ack).toEqual({ type: 'indicators_subscribed', indicators: { AAPL: [...STREAMS].sort() }, id: 'sub' });
    const snapshot = (await client.waitForMessage((m) => m.type === 'indicator_snapshot', 'the snapshot')) as ServerMessage & { indicators: Series };
    expect(snapshot).toMatchObject({ type: 'indicator_snapshot', symbol: 'AAPL', interval: '1s', id: 'sub' });
    // The snapshot is what REST answers for the same candles, value for value.
    expect(snapshot.indicators).toEqual(await rest(api, NAMES));
    expect(snapshot.indicators['rsi:14']!.at(-1)!.time).toBe(T0 + 29_000);
    // Warm-up: no SMA(9) before the ninth candle, none of RSI(14) before the fifteenth.
    expect(snapshot.indicators['sma:9']![0]!.time).toBe(T0 + 8_000);
    expect(snapshot.indicators['rsi:14']![0]!.time).toBe(T0 + 14_000);
    const afterSnapshot = client.messages.indexOf(snapshot) + 1;

    await market.seconds(30, 40);
    await analysed(api, 39);
    const stored = await rest(api, NAMES);
    // The last update of each candle carries the values REST serves for it.
    await waitFor(() => {
      const last = updates(client, afterSnapshot).filter((u) => u.time === T0 + 39_000).at(-1);
      return last !== undefined && NAMES.every((n) => JSON.stringify(last.values[n]) === JSON.stringify(stored[n]!.find((p) => p.time === T0 + 39_000)?.value));
    }, 'the final update of the last candle');
    const live = updates(client, afterSnapshot);
    expect(live.every((u) => u.symbol === 'AAPL' && u.interval === '1s' && Object.keys(u.values).every((n) => NAMES.includes(n)))).toBe(true);
    for (let s = 30; s < 40; s++) {
      const time = T0 + s * 1000;
      const last = live.filter((u) => u.time === time).at(-1);
      expect(last, `an update for second ${s}`).toBeDefined();
      for (const name of NAMES) expect(last!.values[name], `${name} at second ${s}`).toEqual(stored[name]!.find((p) => p.time === time)!.value);
    }
    // Updates come in candle order: a candle never reappears once a later one was sent.
    const times = live.map((u) => u.time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  } finally {
    client.close();
  }
}

describe('indicator subscriptions over WebSocket, one process', () => {
  let server: RunningServer;
  const market = new Market(() => server);

  beforeAll(async () => {
    server = await startServer({ ROLES: 'processor,api,gateway,analytics', TEST_TICK_INJECTION: 'true', SYMBOLS: 'AAPL,MSFT', WS_MAX_INDICATORS: '6' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers a subscribe with the snapshot REST serves, then live updates that end at REST values', async () => {
    await snapshotThenUpdates(market, server, server);
  });

  it('refuses bad requests with stable codes, all or nothing, and keeps the connection', async () => {
    const client = await TestClient.connect(`${server.ws}?symbols=`);
    try {
      const cases: [string, unknown, string][] = [
        ['unknown-indicator', { AAPL: ['1s:sma:9', '1s:sma:7'] }, 'UNKNOWN_INDICATOR'],
        ['unknown-symbol', { AAPL: ['1s:sma:9'], ZZZZ: ['1s:sma:9'] }, 'UNKNOWN_SYMBOL'],
        ['bad-interval', { AAPL: ['2m:sma:9'] }, 'INVALID_INTERVAL'],
        ['no-name', { AAPL: ['1m'] }, 'BAD_REQUEST'],
        ['not-a-list', { AAPL: '1m:sma:9' }, 'BAD_REQUEST'],
        ['too-many', { AAPL: ['1s:sma:9', '1s:sma:20', '1m:sma:9', '1m:sma:20', '5m:sma:9', '5m:sma:20', '1h:sma:9'] }, 'TOO_MANY_INDICATORS'],
      ];
      for (const [id, indicators, code] of cases) {
        client.send({ action: 'subscribe', indicators, id });
        expect(await reply(client, id), id).toMatchObject({ type: 'error', code, id });
      }
      expect((await reply(client, 'unknown-symbol')).symbols).toEqual(['ZZZZ']);
      client.send({ action: 'subscribe', symbols: ['AAPL'], indicators: { AAPL: ['1s:sma:9'] }, id: 'both' });
      expect(await reply(client, 'both')).toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
      client.send({ action: 'subscribe', indicators: { AAPL: ['1s:sma:9'] }, limit: -1, id: 'limit' });
      expect(await reply(client, 'limit')).toMatchObject({ type: 'error', code: 'INVALID_LIMIT' });
      client.send({ action: 'unsubscribe', indicators: { AAPL: ['1s:nope'] }, id: 'unsub-unknown' });
      expect(await reply(client, 'unsub-unknown')).toMatchObject({ type: 'error', code: 'UNKNOWN_INDICATOR' });

      // Nothing of the refused requests was subscribed; the limit counts streams across symbols.
      client.send({ action: 'subscribe', indicators: { AAPL: ['1s:sma:9', '1m:sma:9', '5m:sma:9'], MSFT: ['1s:sma:9', '1m:sma:9', '5m:sma:9'] }, limit: 0, id: 'six' });
      expect(await reply(client, 'six')).toEqual({ type: 'indicators_subscribed', indicators: { AAPL: ['1m:sma:9', '1s:sma:9', '5m:sma:9'], MSFT: ['1m:sma:9', '1s:sma:9', '5m:sma:9'] }, id: 'six' });
      client.send({ action: 'subscribe', indicators: { MSFT: ['1h:sma:9'] }, id: 'seventh' });
      expect(await reply(client, 'seventh')).toMatchObject({ type: 'error', code: 'TOO_MANY_INDICATORS' });
      // limit 0: no snapshot.
      expect(client.controls('indicator_snapshot')).toEqual([]);
      client.send({ action: 'ping', id: 'alive' });
      expect(await reply(client, 'alive')).toMatchObject({ type: 'pong' });
      expect(client.closed).toBeUndefined();
    } finally {
      client.close();
    }
  });

  it('stops updates after unsubscribe, and leaves clients that never asked for indicators as they were', async () => {
    const leaving = await TestClient.connect(`${server.ws}?symbols=`);
    const staying = await TestClient.connect(`${server.ws}?symbols=`);
    // A seed-format client (the watchlist's bare array) and one that never writes.
    const watchlist = await TestClient.connect(server.ws);
    const silent = await TestClient.connect(`${server.ws}?symbols=AAPL`);
    try {
      watchlist.send(['AAPL', 'MSFT']);
      for (const [client, id] of [[leaving, 'l'], [staying, 's']] as const) {
        client.send({ action: 'subscribe', indicators: { AAPL: ['1s:vwap'] }, limit: 0, id });
        await reply(client, id);
      }
      leaving.send({ action: 'unsubscribe', indicators: { AAPL: ['1s:vwap'] }, id: 'bye' });
      const ack = await reply(leaving, 'bye');
      expect(ack).toEqual({ type: 'indicators_subscribed', indicators: {}, id: 'bye' });
      const ackAt = leaving.messages.indexOf(ack as ServerMessage);

      await market.seconds(40, 45);
      await waitFor(() => updates(staying).some((u) => u.time === T0 + 44_000), 'updates of the last candle on the staying client');
      // Everything the gateway queued for `leaving` before this pong has arrived by then.
      leaving.send({ action: 'ping', id: 'flush' });
      await reply(leaving, 'flush');
      expect(updates(leaving, ackAt)).toEqual([]);

      await watchlist.waitForTicks(1, 'MSFT');
      await silent.waitForTicks(1, 'AAPL');
      const types = (c: TestClient): string[] => [...new Set(c.messages.map((m) => m.type))].sort();
      expect(types(watchlist)).toEqual(['subscribed', 'tick']);
      expect(types(silent)).toEqual(['tick']);
    } finally {
      for (const c of [leaving, staying, watchlist, silent]) c.close();
    }
  });
});

describe('indicator subscriptions over WebSocket, distributed over Redis', () => {
  const prefix = uniquePrefix('indicators-ws');
  const env = { REDIS_URL: redisUrl, REDIS_PREFIX: prefix, EVENT_LOG: 'redis', SYMBOLS: 'AAPL,MSFT' };
  let api: RunningServer;
  const others: RunningServer[] = [];
  const market = new Market(() => api);

  beforeAll(async () => {
    // The analytics role and the gateway in processes of their own: updates reach the gateway only through Redis pub/sub.
    api = await startServer({ ...env, ROLES: 'processor,api', TEST_TICK_INJECTION: 'true' });
    others.push(await startServer({ ...env, ROLES: 'analytics' }), await startServer({ ...env, ROLES: 'gateway' }));
  });
  afterAll(async () => {
    await Promise.all([api, ...others].filter(Boolean).map((p) => p.stop()));
    await deletePrefix(prefix);
  });

  it('relays what the analytics process computes to a gateway process: snapshot, then updates, equal to REST', async () => {
    await snapshotThenUpdates(market, api, others[1]!);
  });
});
