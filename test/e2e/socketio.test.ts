import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metric, startServer, type RunningServer } from '../support/server.js';
import { SocketIoTestClient } from '../support/socketio-client.js';
import { upgradeThenReset } from '../support/raw-upgrade.js';
import { waitFor } from '../support/wait.js';

/**
 * Socket.IO at /socket.io/ with the events of reference/kafka-stream-sim-dashboard.md, against the
 * real CLI (embedded shape) and real socket.io-client connections. The generator is nearly idle
 * (TICK_RATE=0.01): ticks come from TEST_TICK_INJECTION with seqs far above its own, so every
 * assertion is about ticks this test made.
 */

const SYMBOLS = ['AAPL', 'MSFT', 'GOOGL'];
let server: RunningServer;
let nextSeq = 1_000_000;
const clients: SocketIoTestClient[] = [];

async function inject(...symbols: string[]): Promise<Map<string, number>> {
  const seqs = new Map<string, number>();
  const ticks = symbols.map((symbol) => {
    const seq = ++nextSeq;
    seqs.set(symbol, seq);
    return { symbol, price: 100 + (seq % 50), seq, size: 7 + (seq % 10) };
  });
  const res = await fetch(`${server.http}/api/v1/test/ticks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ticks }) });
  expect(res.status).toBe(202);
  return seqs;
}

async function connect(options: Parameters<typeof SocketIoTestClient.connect>[1] = {}, on: RunningServer = server): Promise<SocketIoTestClient> {
  const client = await SocketIoTestClient.connect(on.http, options);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  server = await startServer({ SYMBOLS: SYMBOLS.join(','), TICK_RATE: '0.01', TEST_TICK_INJECTION: 'true', SOCKETIO_METRICS_MS: '200' });
  await waitFor(async () => (await fetch(`${server.http}/ready`)).status === 200, '/ready', 110_000, 100);
  await inject(...SYMBOLS);
});
afterAll(async () => {
  for (const client of clients) client.close();
  await server?.stop();
});

describe('Socket.IO events (websocket transport)', () => {
  it('a connection that never subscribes gets every symbol as stock-tick with the reference fields', async () => {
    const client = await connect({ transports: ['websocket'] });
    const seqs = await inject(...SYMBOLS);
    for (const symbol of SYMBOLS) await client.waitForTick(`${symbol} tick`, (t) => t.symbol === symbol && t.seq === seqs.get(symbol));
    const tick = client.ticks.find((t) => t.symbol === 'MSFT' && t.seq === seqs.get('MSFT'))!;
    expect(tick).toMatchObject({ symbol: 'MSFT', price: 100 + (tick.seq % 50), volume: 7 + (tick.seq % 10) });
    expect(new Date(tick.timestamp).toISOString()).toBe(tick.timestamp);
    expect(tick.ts).toBe(Date.parse(tick.timestamp));
    // The in-process log numbers records per partition: the tick's place there.
    expect(Number.isInteger(tick.partition)).toBe(true);
    expect(typeof tick.offset).toBe('number');
    expect(typeof tick.epoch).toBe('string');
    expect(client.socket.io.engine.transport.name).toBe('websocket');
  });

  it('metrics on connect and then every SOCKETIO_METRICS_MS', async () => {
    const client = await connect({ transports: ['websocket'] });
    await waitFor(() => client.metrics.length >= 3, 'three metrics events');
    const [first, , third] = client.metrics;
    expect(first!.connectedClients).toBeGreaterThanOrEqual(1);
    expect(first!.messagesProcessed).toBeGreaterThanOrEqual(0);
    expect(third!.uptime).toBeGreaterThan(first!.uptime);
    expect(typeof third!.messagesProcessed).toBe('number');
  });

  it('subscribe narrows the connection and sends the latest tick of each symbol at once', async () => {
    const client = await connect({ transports: ['websocket'] });
    const latest = await inject('AAPL', 'GOOGL', 'MSFT');
    await client.waitForTick('the MSFT tick', (t) => t.seq === latest.get('MSFT'));
    // Counted before the request: the latest ticks may arrive in the same read as the ack.
    const from = client.ticks.length;
    const ack = await client.request('subscribe', ['AAPL', 'GOOGL']);
    expect(ack).toEqual({ ok: true, symbols: ['AAPL', 'GOOGL'] });
    // Nothing injected since: these are the latest ticks, sent again at once.
    await client.waitForTick('the AAPL snapshot', (t) => t.symbol === 'AAPL' && t.seq === latest.get('AAPL'), from);
    await client.waitForTick('the GOOGL snapshot', (t) => t.symbol === 'GOOGL' && t.seq === latest.get('GOOGL'), from);

    const live = await inject('MSFT', 'AAPL');
    await client.waitForTick('the live AAPL tick', (t) => t.seq === live.get('AAPL'), from);
    expect(client.ticksSince(from, 'MSFT')).toEqual([]);
  });

  it('a single symbol is a subscription too, added to the narrowed set', async () => {
    const client = await connect({ transports: ['websocket'] });
    expect(await client.request('subscribe', 'MSFT')).toEqual({ ok: true, symbols: ['MSFT'] });
    expect(await client.request('subscribe', 'aapl')).toEqual({ ok: true, symbols: ['AAPL', 'MSFT'] });
  });

  it('unsubscribe removes symbols', async () => {
    const client = await connect({ transports: ['websocket'] });
    await client.request('subscribe', ['AAPL', 'GOOGL']);
    expect(await client.request('unsubscribe', ['AAPL'])).toEqual({ ok: true, symbols: ['GOOGL'] });
    const from = client.ticks.length;
    const live = await inject('AAPL', 'GOOGL');
    await client.waitForTick('the GOOGL tick', (t) => t.seq === live.get('GOOGL'), from);
    expect(client.ticksSince(from, 'AAPL')).toEqual([]);
  });

  it('join stock-updates means every symbol again', async () => {
    const client = await connect({ transports: ['websocket'] });
    await client.request('subscribe', ['AAPL']);
    expect(await client.request('join', 'stock-updates')).toEqual({ ok: true, symbols: ['*'] });
    const from = client.ticks.length;
    const live = await inject(...SYMBOLS);
    for (const symbol of SYMBOLS) await client.waitForTick(`${symbol} after join`, (t) => t.seq === live.get(symbol), from);
  });

  it('unknown symbols: the known ones are subscribed, the others reported in one error event', async () => {
    const client = await connect({ transports: ['websocket'] });
    const ack = await client.request('subscribe', ['AAPL', 'NOPE', 'ZZZZ']);
    expect(ack.ok).toBe(false);
    expect(ack.symbols).toEqual(['AAPL']);
    await waitFor(() => client.errors.length > 0, 'the error event');
    expect(client.errors).toEqual([{ code: 'UNKNOWN_SYMBOL', message: expect.stringContaining('NOPE'), symbols: ['NOPE', 'ZZZZ'] }]);
    const from = client.ticks.length;
    const live = await inject('MSFT', 'AAPL');
    await client.waitForTick('the AAPL tick', (t) => t.seq === live.get('AAPL'), from);
    expect(client.ticksSince(from, 'MSFT')).toEqual([]);
  });

  it('malformed requests get a BAD_REQUEST error event, the connection stays', async () => {
    const client = await connect({ transports: ['websocket'] });
    expect((await client.request('subscribe', [42])).error?.code).toBe('BAD_REQUEST');
    expect((await client.request('join', 'elsewhere')).error?.code).toBe('BAD_REQUEST');
    expect(client.errors.map((e) => e.code)).toEqual(['BAD_REQUEST', 'BAD_REQUEST']);
    expect(client.socket.connected).toBe(true);
  });
});

describe('Socket.IO over long-polling', () => {
  it('connects, subscribes and receives stock-tick and metrics without upgrading', async () => {
    const client = await connect({ transports: ['polling'] });
    expect(client.socket.io.engine.transport.name).toBe('polling');
    expect(await client.request('subscribe', ['GOOGL'])).toEqual({ ok: true, symbols: ['GOOGL'] });
    const from = client.ticks.length;
    const live = await inject('GOOGL');
    await client.waitForTick('the GOOGL tick over polling', (t) => t.seq === live.get('GOOGL'), from);
    await waitFor(() => client.metrics.length >= 2, 'metrics over polling');
    expect(client.socket.io.engine.transport.name).toBe('polling');
  });

  it('the default client (polling, then upgrade) works too', async () => {
    const client = await connect();
    const live = await inject('AAPL');
    await client.waitForTick('an AAPL tick', (t) => t.seq === live.get('AAPL'));
  });

  it('connections are counted in the Prometheus gauge and the metrics event', async () => {
    await connect({ transports: ['websocket'] });
    expect(await metric(server, 'tickstream_socketio_connections')).toBeGreaterThanOrEqual(1);
    expect(await metric(server, 'tickstream_socketio_ticks_sent_total')).toBeGreaterThan(0);
    expect(await metric(server, 'tickstream_socketio_client_errors_total', { code: 'UNKNOWN_SYMBOL' })).toBeGreaterThanOrEqual(1);
  });
});

describe('Socket.IO origins and switch', () => {
  let restricted: RunningServer;
  let disabled: RunningServer;
  let token: string;
  beforeAll(async () => {
    [restricted, disabled] = await Promise.all([
      startServer({ SYMBOLS: 'AAPL', TICK_RATE: '20', WS_ALLOWED_ORIGINS: 'https://good.example', WS_REQUIRE_AUTH: 'true' }),
      startServer({ SYMBOLS: 'AAPL', TICK_RATE: '20', SOCKETIO_ENABLED: 'false' }),
    ]);
    // The embedded database opens after the start line and holds the event loop meanwhile.
    for (const s of [restricted, disabled]) await waitFor(async () => (await fetch(`${s.http}/ready`)).status === 200, '/ready', 110_000, 100);
    const registered = await fetch(`${restricted.http}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'sio-user', password: 'correct horse battery' }),
    });
    expect(registered.status).toBe(201);
    token = ((await registered.json()) as { token: string }).token;
  });
  afterAll(async () => {
    await Promise.all([restricted?.stop(), disabled?.stop()]);
  });

  it('a foreign origin is refused at the handshake, on both transports; an allowed one connects', async () => {
    for (const transports of [['polling'], ['websocket']]) {
      await expect(SocketIoTestClient.connect(restricted.http, { transports, extraHeaders: { Origin: 'https://evil.example' } })).rejects.toThrow();
    }
    expect(await metric(restricted, 'tickstream_socketio_connections_rejected_total', { code: 'ORIGIN_NOT_ALLOWED' })).toBe(2);
    const res = await fetch(`${restricted.http}/socket.io/?EIO=4&transport=polling`, { headers: { Origin: 'https://evil.example' } });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('ORIGIN_NOT_ALLOWED');

    const good = await connect({ transports: ['polling'], extraHeaders: { Origin: 'https://good.example' }, auth: { token } }, restricted);
    await waitFor(() => good.ticks.length > 0, 'ticks for the allowed origin');
  });

  it('a refused Socket.IO upgrade reset by the client leaves the server serving', async () => {
    for (let round = 0; round < 5; round++) {
      const { statusLine } = await upgradeThenReset(restricted.port, '/socket.io/?EIO=4&transport=websocket', { headers: { Origin: 'https://evil.example' } });
      expect(Number(statusLine?.split(' ')[1])).toBeGreaterThanOrEqual(400);
      await upgradeThenReset(restricted.port, '/socket.io/?EIO=4&transport=websocket', { headers: { Origin: 'https://evil.example' }, resetAtOnce: true });
    }
    expect(restricted.process.exitCode).toBeNull();
    const client = await connect({ transports: ['websocket'], auth: { token } }, restricted);
    await waitFor(() => client.ticks.length > 0, 'ticks after the resets');
  });

  it('WS_REQUIRE_AUTH=true: the handshake needs a valid token', async () => {
    await expect(SocketIoTestClient.connect(restricted.http, { transports: ['websocket'] })).rejects.toThrow('AUTH_REQUIRED');
    await expect(SocketIoTestClient.connect(restricted.http, { transports: ['websocket'], auth: { token: 'forged' } })).rejects.toThrow('INVALID_TOKEN');
    expect(await metric(restricted, 'tickstream_socketio_connections_rejected_total', { code: 'AUTH_REQUIRED' })).toBe(1);
    const client = await connect({ transports: ['websocket'], auth: { token } }, restricted);
    await waitFor(() => client.ticks.length > 0, 'ticks with a valid token');
  });

  it('SOCKETIO_ENABLED=false: /socket.io/ answers a JSON 404 for polling and the websocket upgrade', async () => {
    const res = await fetch(`${disabled.http}/socket.io/?EIO=4&transport=polling`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    const { statusLine } = await upgradeThenReset(disabled.port, '/socket.io/?EIO=4&transport=websocket');
    expect(statusLine).toContain('404');
    await expect(SocketIoTestClient.connect(disabled.http, { transports: ['websocket'] })).rejects.toThrow();
    // The native WebSocket is unaffected.
    expect((await fetch(`${disabled.http}/ready`)).status).toBe(200);
  });
});
