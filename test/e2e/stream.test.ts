import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.js';
import { sleep, waitFor } from '../support/wait.js';
import { gaps, TestClient, type TickMessage } from '../support/ws-client.js';

const SYMBOLS = ['AAPL', 'MSFT', 'TSLA', 'NVDA'];
let server: RunningServer;
const clients: TestClient[] = [];
const connect = async (query = '') => {
  const client = await TestClient.connect(server.ws + query);
  clients.push(client);
  return client;
};

beforeAll(async () => {
  // A fast stream (~750 ticks/s per symbol) and a short history, so resuming can also fail.
  server = await startServer({ SYMBOLS: SYMBOLS.join(','), TICK_RATE: '3000', HISTORY_LIMIT: '2000' });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server?.stop();
});

describe('WebSocket stream at /ws', () => {
  it('a client that never writes gets ticks of every symbol, in the seed message shape, and nothing else', async () => {
    const client = await connect();
    await waitFor(() => SYMBOLS.every((s) => client.ticks(s).length > 5), 'ticks of every symbol');
    const tick = client.ticks('AAPL')[0]!;
    // The example client of the seed reads exactly these three fields.
    expect(typeof tick.symbol).toBe('string');
    expect(typeof tick.price).toBe('number');
    expect(new Date(tick.timestamp).getTime()).toBe(tick.ts);
    expect(client.controls()).toEqual([]);
    for (const s of SYMBOLS) expect(gaps(client.ticks(s))).toEqual([]);
  });

  it('subscribing during a fast stream: ack, snapshot, then every seq once and in order', async () => {
    const client = await connect('?symbols=');
    await sleep(100);
    expect(client.messages).toEqual([]);
    client.send({ action: 'subscribe', symbols: ['aapl', 'MSFT'], id: 'sub-1' });
    await waitFor(() => client.ticks('AAPL').length > 1500 && client.ticks('MSFT').length > 1500, '1500 ticks of AAPL and MSFT', 15_000);
    expect(client.messages[0]).toEqual({ type: 'subscribed', symbols: ['AAPL', 'MSFT'], epoch: expect.any(String), id: 'sub-1' });
    for (const s of ['AAPL', 'MSFT']) expect(gaps(client.ticks(s))).toEqual([]);
    expect(client.ticks('TSLA')).toEqual([]);
  });

  it('unsubscribe stops a symbol; a bare array replaces the set', async () => {
    const client = await connect('?symbols=AAPL,TSLA');
    await client.waitForTicks(10, 'TSLA');
    client.send({ action: 'unsubscribe', symbols: ['TSLA'] });
    await client.waitForMessage((m) => m.type === 'subscribed', 'the unsubscribe ack');
    const ackAt = client.messages.findIndex((m) => m.type === 'subscribed');
    expect(client.messages[ackAt]).toMatchObject({ symbols: ['AAPL'] });
    await client.waitForTicks(client.ticks('AAPL').length + 50, 'AAPL');
    expect(client.messages.slice(ackAt).some((m) => (m as TickMessage).symbol === 'TSLA')).toBe(false);

    client.send(['NVDA']);
    await waitFor(() => client.controls('subscribed').length === 2, 'the replace ack');
    const replacedAt = client.messages.findIndex((m, i) => i > ackAt && m.type === 'subscribed');
    expect(client.messages[replacedAt]).toMatchObject({ symbols: ['NVDA'] });
    await waitFor(() => client.messages.slice(replacedAt).filter((m) => m.type === 'tick').length > 50, 'NVDA ticks');
    const after = client.messages.slice(replacedAt + 1) as TickMessage[];
    expect(new Set(after.map((t) => t.symbol))).toEqual(new Set(['NVDA']));
    expect(gaps(after)).toEqual([]);
  });

  it('the watchlist seed: a bare array first on plain /ws narrows the stream; an unknown name is reported, not fatal', async () => {
    const client = await connect();
    // GOOG does not trade on this server (SYMBOLS above): the original subscribed to the valid names.
    client.send(['AAPL', 'GOOG']);
    await client.waitForMessage((m) => m.type === 'subscribed', 'the replace ack');
    expect(client.controls('error')).toEqual([expect.objectContaining({ type: 'error', code: 'UNKNOWN_SYMBOL', symbols: ['GOOG'] })]);
    const ackAt = client.messages.findIndex((m) => m.type === 'subscribed');
    expect(client.messages[ackAt]).toEqual({ type: 'subscribed', symbols: ['AAPL'], epoch: expect.any(String) });
    await waitFor(() => client.messages.slice(ackAt).filter((m) => m.type === 'tick').length > 100, 'AAPL ticks after the ack');
    const after = client.messages.slice(ackAt + 1) as TickMessage[];
    expect(new Set(after.map((t) => t.symbol))).toEqual(new Set(['AAPL']));
    expect(gaps(client.ticks('AAPL'))).toEqual([]);
  });

  it('"*" subscribes to everything; ping gets pong with the id', async () => {
    const client = await connect('?symbols=');
    client.send({ action: 'subscribe', symbols: ['*'] });
    client.send({ action: 'ping', id: 9 });
    await client.waitForMessage((m) => m.type === 'pong', 'pong');
    expect(client.controls('pong')[0]).toMatchObject({ type: 'pong', id: 9 });
    expect(client.controls('subscribed')[0]).toMatchObject({ symbols: [...SYMBOLS].sort() });
  });

  it('clients that opt into batches get several ticks per frame, still gap-free', async () => {
    const client = await connect('?symbols=AAPL,MSFT&batch=1');
    let batches = 0;
    client.ws.on('message', (data) => {
      if (String(data).startsWith('{"type":"ticks"')) batches++;
    });
    await client.waitForTicks(2000);
    expect(batches).toBeGreaterThan(0);
    for (const s of ['AAPL', 'MSFT']) expect(gaps(client.ticks(s))).toEqual([]);
  });
});

describe('resume after reconnect', () => {
  it('since: the missed ticks arrive in order, then live ones, with no gap', async () => {
    const first = await connect('?symbols=TSLA');
    const before = await first.waitForTicks(100, 'TSLA');
    first.close();
    await first.waitForClose();
    const last = first.ticks('TSLA').at(-1)!.seq;
    expect(before.length).toBeGreaterThan(0);
    // Let the stream move on while we are away.
    await waitFor(async () => {
      const q = (await (await fetch(`${server.http}/api/v1/quotes/TSLA`)).json()) as { seq: number };
      return q.seq > last + 300;
    }, 'TSLA to move on by 300 ticks');

    const again = await connect('?symbols=');
    again.send({ action: 'subscribe', symbols: ['TSLA'], since: { TSLA: last } });
    await again.waitForTicks(600, 'TSLA');
    expect(again.messages[0]).toEqual({ type: 'subscribed', symbols: ['TSLA'], epoch: expect.any(String), recovered: { TSLA: true } });
    const resumed = again.ticks('TSLA');
    expect(resumed[0]!.seq).toBe(last + 1);
    expect(gaps(resumed)).toEqual([]);
  });

  it('since older than history: recovered false and a fresh snapshot', async () => {
    await waitFor(async () => {
      const q = (await (await fetch(`${server.http}/api/v1/quotes/NVDA`)).json()) as { seq: number };
      return q.seq > 2100;
    }, 'NVDA history to roll past seq 1', 20_000);
    const client = await connect('?symbols=');
    client.send({ action: 'subscribe', symbols: ['NVDA'], since: { NVDA: 1 } });
    await client.waitForTicks(20, 'NVDA');
    expect(client.messages[0]).toEqual({ type: 'subscribed', symbols: ['NVDA'], epoch: expect.any(String), recovered: { NVDA: false } });
    const ticks = client.ticks('NVDA');
    expect(ticks[0]!.seq).toBeGreaterThan(2000);
    expect(gaps(ticks)).toEqual([]);
  });
});
