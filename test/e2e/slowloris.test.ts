import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SlowClient, getFrom } from '../support/slow-client.js';
import { metric, startServer, type RunningServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { TestClient } from '../support/ws-client.js';

/**
 * Slow HTTP clients against the real CLI over real sockets: connections that trickle their headers
 * (slowloris) or their body are answered 408 and closed; one address cannot hold more than
 * HTTP_MAX_CONNECTIONS_PER_IP connections; the server serves everyone else throughout. What is
 * asserted is that connections get closed and with which answer, never how fast.
 */

const SLOW_HEADERS = 30;
const SLOW_BODIES = 10;

describe('slow clients are answered 408 and closed', () => {
  let server: RunningServer;
  const clients: SlowClient[] = [];
  beforeAll(async () => {
    server = await startServer({ SYMBOLS: 'AAPL', TICK_RATE: '20', HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '2000' });
    // A quote exists once the first AAPL tick is processed (404 before): the test reads it throughout.
    await waitFor(async () => (await fetch(`${server.http}/api/v1/quotes/AAPL`)).status === 200, 'the first AAPL quote', 30_000, 100);
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await server?.stop();
  });

  it('slowloris and slow-body connections are closed while normal requests are served', async () => {
    for (let i = 0; i < SLOW_HEADERS; i++) clients.push(await SlowClient.slowHeaders(server.port, 200));
    for (let i = 0; i < SLOW_BODIES; i++) clients.push(await SlowClient.slowBody(server.port, 200));

    let served = 0;
    await waitFor(async () => {
      const quote = await fetch(`${server.http}/api/v1/quotes/AAPL`);
      expect(quote.status).toBe(200);
      served++;
      return clients.every((c) => c.closed);
    }, 'every slow connection to be closed', 30_000, 100);

    expect(served).toBeGreaterThan(0);
    for (const client of clients) {
      expect(client.status).toBe(408);
      expect(client.code).toBe('REQUEST_TIMEOUT');
    }
    expect(server.process.exitCode).toBeNull();
    // And the WebSocket side still streams.
    const ws = await TestClient.connect(`${server.ws}?symbols=AAPL`);
    try {
      await ws.waitForTicks(1, 'AAPL');
    } finally {
      ws.close();
    }
  });
});

describe('per-address cap on open HTTP connections', () => {
  const CAP = 20;
  let server: RunningServer;
  const held: SlowClient[] = [];
  beforeAll(async () => {
    // Long timeouts: the held connections stay open for the whole test, whatever the machine's speed.
    server = await startServer({ SYMBOLS: 'AAPL', TICK_RATE: '20', HTTP_MAX_CONNECTIONS_PER_IP: String(CAP), HTTP_HEADERS_TIMEOUT_MS: '120000', HTTP_REQUEST_TIMEOUT_MS: '120000' });
    // On a connection of its own that is closed after (fetch would keep one open against the cap).
    await waitFor(async () => (await getFrom(server.port, '/api/v1/quotes/AAPL', '127.0.0.1')).status === 200, 'the first AAPL quote', 30_000, 100);
  });
  afterEach(() => {
    for (const client of held.splice(0)) client.destroy();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('connections over the cap get 429 TOO_MANY_CONNECTIONS_FROM_IP and are closed; other addresses are served', async () => {
    // Accepted in order: by the time the server sees the first one over the cap, it counts the CAP before it.
    for (let i = 0; i < CAP; i++) held.push(await SlowClient.slowHeaders(server.port, 500));
    const over: SlowClient[] = [];
    for (let i = 0; i < 5; i++) over.push(await SlowClient.slowHeaders(server.port, 500));

    await waitFor(() => over.every((c) => c.closed), 'the connections over the cap to be closed', 15_000);
    for (const client of over) {
      expect(client.status).toBe(429);
      expect(client.code).toBe('TOO_MANY_CONNECTIONS_FROM_IP');
      expect(client.header('Retry-After')).toBe('1');
    }
    expect(held.some((c) => c.closed)).toBe(false);

    // The same address is refused even for a well-formed request; another address is not.
    const refused = await getFrom(server.port, '/api/v1/quotes/AAPL', '127.0.0.1');
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body)).toEqual({ error: { code: 'TOO_MANY_CONNECTIONS_FROM_IP', message: expect.any(String) } });
    const other = await getFrom(server.port, '/api/v1/quotes/AAPL', '127.0.0.2');
    expect(other.status).toBe(200);

    // Closing held connections frees their places.
    for (const client of held.splice(0, 5)) client.destroy();
    await waitFor(async () => (await getFrom(server.port, '/api/v1/quotes/AAPL', '127.0.0.1')).status === 200, 'a place to free up');
    expect(await metric(server, 'tickstream_http_connections_refused_total')).toBeGreaterThanOrEqual(6);
    expect(server.process.exitCode).toBeNull();
  });

  it('WebSockets leave the HTTP count once upgraded: an address may hold more sockets than the HTTP cap', async () => {
    const sockets: TestClient[] = [];
    try {
      for (let i = 0; i < CAP + 5; i++) sockets.push(await TestClient.connect(`${server.ws}?symbols=AAPL`));
      await sockets.at(-1)!.waitForTicks(1, 'AAPL');
      expect((await getFrom(server.port, '/api/v1/quotes/AAPL', '127.0.0.1')).status).toBe(200);
    } finally {
      for (const socket of sockets) socket.close();
    }
  });
});
