import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { gaps, TestClient } from '../support/ws-client.js';

let server: RunningServer;
let observer: TestClient;
const clients: TestClient[] = [];
const connect = async (query = '?symbols=', options = {}) => {
  const client = await TestClient.connect(server.ws + query, options);
  clients.push(client);
  return client;
};
const refused = (query: string, options = {}) =>
  TestClient.connect(server.ws + query, options).then(
    () => {
      throw new Error('expected the upgrade to be refused');
    },
    (error: { status?: number; body?: string }) => ({ status: error.status, body: JSON.parse(error.body ?? '{}') as { error?: { code: string } } }),
  );

beforeAll(async () => {
  server = await startServer({
    SYMBOLS: 'AAPL,MSFT,TSLA',
    TICK_RATE: '300',
    WS_MAX_SYMBOLS: '2',
    WS_MESSAGE_RATE: '5',
    WS_MESSAGE_BURST: '10',
    WS_MAX_FRAME_BYTES: '4096',
    WS_ALLOWED_ORIGINS: 'https://good.example',
    WS_MAX_CONNECTIONS: '12',
    WS_MAX_CONNECTIONS_PER_IP: '8',
  });
  // Watches the whole time: whatever the others do, its stream must go on untouched.
  observer = await connect('?symbols=AAPL');
  await observer.waitForTicks(3, 'AAPL');
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server?.stop();
});

const errorReply = async (client: TestClient, send: unknown, code: string) => {
  const before = client.controls('error').length;
  client.send(send);
  await waitFor(() => client.controls('error').length > before, `an error reply ${code}`);
  return client.controls('error')[before]!;
};

describe('bad input gets a stable code and hurts no one else', () => {
  it('malformed JSON, unknown action, bad shapes: error replies, connection stays usable', async () => {
    const client = await connect();
    expect(await errorReply(client, '{"action": "subscribe", ', 'BAD_JSON')).toMatchObject({ code: 'BAD_JSON' });
    expect(await errorReply(client, { action: 'teleport', id: 3 }, 'UNKNOWN_ACTION')).toMatchObject({ code: 'UNKNOWN_ACTION', id: 3 });
    expect(await errorReply(client, { action: 'subscribe', symbols: 'AAPL' }, 'BAD_REQUEST')).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await errorReply(client, 42, 'BAD_REQUEST')).toMatchObject({ code: 'BAD_REQUEST' });
    client.send({ action: 'ping' });
    await client.waitForMessage((m) => m.type === 'pong', 'pong after errors');
    expect(client.closed).toBeUndefined();
  });

  it('unknown symbols are reported in one reply and the known ones subscribed; the URL refuses them', async () => {
    const client = await connect();
    expect(await errorReply(client, { action: 'subscribe', symbols: ['NOPE'], id: 1 }, 'UNKNOWN_SYMBOL')).toMatchObject({ code: 'UNKNOWN_SYMBOL', symbols: ['NOPE'], id: 1 });
    expect(await errorReply(client, { action: 'subscribe', symbols: ['AAPL', 'NOPE', 'ZZZ'], id: 2 }, 'UNKNOWN_SYMBOL')).toMatchObject({ code: 'UNKNOWN_SYMBOL', symbols: ['NOPE', 'ZZZ'], id: 2 });
    await client.waitForMessage((m) => m.type === 'subscribed', 'the ack of the known symbol');
    expect(client.controls('subscribed')).toEqual([{ type: 'subscribed', symbols: ['AAPL'], epoch: expect.any(String), id: 2 }]);
    // A bare array of unknown names replaces the set with nothing, as the watchlist seed did.
    expect(await errorReply(client, ['ZZZ'], 'UNKNOWN_SYMBOL')).toMatchObject({ code: 'UNKNOWN_SYMBOL', symbols: ['ZZZ'] });
    await waitFor(() => client.controls('subscribed').length === 2, 'the replace ack');
    expect(client.controls('subscribed')[1]).toEqual({ type: 'subscribed', symbols: [], epoch: expect.any(String) });
    const { status, body } = await refused('?symbols=AAPL,NOPE');
    expect(status).toBe(404);
    expect(body.error?.code).toBe('UNKNOWN_SYMBOL');
  });

  it('more symbols than allowed: TOO_MANY_SYMBOLS', async () => {
    const client = await connect();
    expect(await errorReply(client, { action: 'subscribe', symbols: ['AAPL', 'MSFT', 'TSLA'] }, 'TOO_MANY_SYMBOLS')).toMatchObject({ code: 'TOO_MANY_SYMBOLS' });
  });

  it('a frame over the size limit closes that connection with 1009', async () => {
    const client = await connect();
    client.send(JSON.stringify({ action: 'ping', pad: 'x'.repeat(1024 * 1024) }));
    expect((await client.waitForClose()).code).toBe(1009);
  });

  it('a message flood: RATE_LIMITED, then the connection is closed with 1008', async () => {
    const client = await connect();
    for (let i = 0; i < 300; i++) client.send({ action: 'ping' });
    const closed = await client.waitForClose();
    expect(client.controls('error').some((m) => (m as { code?: string }).code === 'RATE_LIMITED')).toBe(true);
    expect(closed).toEqual({ code: 1008, reason: 'RATE_LIMITED' });
    // Within the budget a client is served: pongs came before the limit hit.
    expect(client.controls('pong').length).toBeGreaterThan(0);
  });

  it('an Origin outside the allowlist is refused with 403 ORIGIN_NOT_ALLOWED; an allowed one connects', async () => {
    const { status, body } = await refused('?symbols=AAPL', { origin: 'https://evil.example' });
    expect(status).toBe(403);
    expect(body.error?.code).toBe('ORIGIN_NOT_ALLOWED');
    const ok = await connect('?symbols=AAPL', { origin: 'https://good.example' });
    await ok.waitForTicks(1, 'AAPL');
  });

  it('connection caps per address and per gateway close with 1013 and the reason', async () => {
    const open = clients.filter((c) => c.closed === undefined).length;
    const mine: TestClient[] = [];
    for (let i = open; i < 8; i++) mine.push(await connect('?symbols=', { localAddress: '127.0.0.1' }));
    const overIp = await connect('?symbols=', { localAddress: '127.0.0.1' });
    expect(await overIp.waitForClose()).toEqual({ code: 1013, reason: 'TOO_MANY_CONNECTIONS_FROM_IP' });
    // From another loopback address the per-IP cap is not reached, but the gateway's is.
    for (let i = 0; i < 4; i++) await connect('?symbols=', { localAddress: '127.0.0.2' });
    const overAll = await connect('?symbols=', { localAddress: '127.0.0.2' });
    expect(await overAll.waitForClose()).toEqual({ code: 1013, reason: 'TOO_MANY_CONNECTIONS' });
    for (const c of mine) c.close();
  });

  it('after all of that the process is up and the observer never missed a tick', async () => {
    const before = observer.ticks('AAPL').length;
    await observer.waitForTicks(before + 5, 'AAPL');
    expect(observer.closed).toBeUndefined();
    expect(gaps(observer.ticks('AAPL'))).toEqual([]);
    expect(((await (await fetch(`${server.http}/health`)).json()) as { status: string }).status).toBe('healthy');
  });
});
