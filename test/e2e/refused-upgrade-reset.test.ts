import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, redisUrl, uniquePrefix } from '../support/redis.js';
import { upgradeThenReset } from '../support/raw-upgrade.js';
import { startServer, type RunningServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { TestClient } from '../support/ws-client.js';

/**
 * A client that resets the TCP connection (SO_LINGER 0) after reading a refused upgrade once
 * killed the whole process with an unhandled ECONNRESET. Every refusal path is reset here
 * against the real CLI, several times, and the server must still answer REST and WebSocket.
 */

const ROUNDS = 5;

async function stillServes(server: RunningServer): Promise<void> {
  expect(server.process.exitCode).toBeNull();
  const quote = await fetch(`${server.http}/api/v1/quotes/AAPL`);
  expect(quote.status).toBe(200);
  const client = await TestClient.connect(`${server.ws}?symbols=AAPL`);
  try {
    await client.waitForTicks(1, 'AAPL');
  } finally {
    client.close();
  }
}

describe('refused upgrades reset by the client (in-process limiter)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ SYMBOLS: 'AAPL,MSFT', TICK_RATE: '50', WS_ALLOWED_ORIGINS: 'https://good.example' });
    // The embedded database opens after the start line and holds the event loop meanwhile: on a
    // loaded machine long enough for an answer to miss the wait below.
    await waitFor(async () => (await fetch(`${server.http}/ready`)).status === 200, 'the server to be ready', 110_000, 100);
  });
  afterAll(async () => {
    await server?.stop();
  });

  const refusals: [string, string, Record<string, string>][] = [
    ['an unknown ?symbols=', '/ws?symbols=NOPE', {}],
    ['the root path', '/', {}],
    ['the Socket.IO path without a transport', '/socket.io/', {}],
    ['a Socket.IO handshake from a disallowed origin', '/socket.io/?EIO=4&transport=websocket', { Origin: 'https://evil.example' }],
    ['a Socket.IO upgrade for an unknown session', '/socket.io/?EIO=4&transport=websocket&sid=nope', {}],
    ['another path', '/elsewhere?symbols=AAPL', {}],
    ['a disallowed origin', '/ws?symbols=AAPL', { Origin: 'https://evil.example' }],
  ];

  it.each(refusals)('%s: answered, reset, and the server lives on', async (_what, path, headers) => {
    for (let round = 0; round < ROUNDS; round++) {
      const { statusLine } = await upgradeThenReset(server.port, path, { headers });
      const status = Number(statusLine?.split(' ')[1]);
      expect(status).toBeGreaterThanOrEqual(400);
      // Without waiting for the answer too: the reset can come while the server still decides.
      await upgradeThenReset(server.port, path, { headers, resetAtOnce: true });
    }
    await stillServes(server);
  });
});

describe('refused upgrades reset by the client (Redis limiter, connection caps)', () => {
  const prefix = uniquePrefix('reset');
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({
      SYMBOLS: 'AAPL,MSFT',
      TICK_RATE: '50',
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      WS_CONNECT_RATE: '2',
      WS_CONNECT_BURST: '3',
      WS_MAX_CONNECTIONS_PER_IP: '1',
    });
    // The test reads AAPL's quote at the end: there is one once the first AAPL tick is processed.
    await waitFor(async () => (await fetch(`${server.http}/api/v1/quotes/AAPL`)).status === 200, 'the first AAPL quote', 30_000, 100);
  });
  afterAll(async () => {
    await server?.stop();
    await deletePrefix(prefix);
  });

  it('the per-address cap (101 then close 1013) and the rate limit (429), each reset', async () => {
    const holder = await TestClient.connect(`${server.ws}?symbols=AAPL`);
    try {
      const closeFrameAfterHead = (answer: Buffer): boolean => {
        const head = answer.indexOf('\r\n\r\n');
        return answer.length > head + 4 && answer[head + 4] === 0x88;
      };
      const statuses = new Set<string>();
      // The bucket holds 3: the first upgrades pass the limiter and meet the cap, the rest are 429.
      for (let round = 0; round < 8; round++) {
        const { statusLine } = await upgradeThenReset(server.port, '/ws?symbols=AAPL', { until: closeFrameAfterHead });
        statuses.add(statusLine?.split(' ')[1] ?? 'none');
      }
      expect(statuses).toContain('429');
      // Resets while the Redis limiter decides.
      for (let round = 0; round < 20; round++) await upgradeThenReset(server.port, '/ws?symbols=AAPL', { resetAtOnce: true });
    } finally {
      holder.close();
    }
    expect(server.process.exitCode).toBeNull();
    expect((await fetch(`${server.http}/api/v1/quotes/AAPL`)).status).toBe(200);
    // Once the bucket refills, a WebSocket connects again.
    await waitFor(
      () => stillServes(server).then(() => true, () => false),
      'a WebSocket connection after the limiter refills',
      20_000,
      250,
    );
  });
});
