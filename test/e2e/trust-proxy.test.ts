import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.js';
import { TestClient } from '../support/ws-client.js';

/**
 * Behind a reverse proxy every connection comes from the proxy. With TRUST_PROXY naming it, the
 * per-address limits count the client's address from X-Forwarded-For (REST and WebSocket alike);
 * without it, the header is ignored, so a client cannot pick its own address to escape a limit.
 */
const LIMITS = { AUTH_REGISTRATIONS_PER_IP: '2', WS_MAX_CONNECTIONS_PER_IP: '1' };
const servers: RunningServer[] = [];
const clients: TestClient[] = [];

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(servers.map((s) => s.stop()));
});

const register = (server: RunningServer, username: string, forwardedFor: string) =>
  fetch(`${server.http}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({ username, password: 'a password long enough' }),
  });

const connect = async (server: RunningServer, forwardedFor: string): Promise<TestClient> => {
  const client = await TestClient.connect(`${server.ws}?symbols=AAPL`, { headers: { 'x-forwarded-for': forwardedFor } });
  clients.push(client);
  return client;
};

describe('TRUST_PROXY names the proxy (here the test itself, on 127.0.0.1)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ ...LIMITS, TRUST_PROXY: '127.0.0.1' });
    servers.push(server);
  });

  it('registrations count against the forwarded client address', async () => {
    expect((await register(server, 'fwd-a1', '203.0.113.1')).status).toBe(201);
    expect((await register(server, 'fwd-a2', '203.0.113.1')).status).toBe(201);
    const refused = await register(server, 'fwd-a3', '203.0.113.1');
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('TOO_MANY_REGISTRATIONS');
    // Another client behind the same proxy has a budget of its own.
    expect((await register(server, 'fwd-b1', '203.0.113.2')).status).toBe(201);
  });

  it('WebSocket connections per address count the forwarded client address', async () => {
    const first = await connect(server, '198.51.100.1');
    await first.waitForTicks(1);
    const second = await connect(server, '198.51.100.1');
    expect(await second.waitForClose()).toMatchObject({ code: 1013, reason: 'TOO_MANY_CONNECTIONS_FROM_IP' });
    const other = await connect(server, '198.51.100.2');
    await other.waitForTicks(1);
    expect(other.closed).toBeUndefined();
  });
});

describe('without TRUST_PROXY, X-Forwarded-For is ignored', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(LIMITS);
    servers.push(server);
  });

  it('registrations from one peer share a budget whatever the header claims', async () => {
    expect((await register(server, 'nofwd-1', '203.0.113.1')).status).toBe(201);
    expect((await register(server, 'nofwd-2', '203.0.113.2')).status).toBe(201);
    expect((await register(server, 'nofwd-3', '203.0.113.3')).status).toBe(429);
  });

  it('WebSocket connections from one peer share the per-address cap whatever the header claims', async () => {
    const first = await connect(server, '198.51.100.1');
    await first.waitForTicks(1);
    const second = await connect(server, '198.51.100.2');
    expect(await second.waitForClose()).toMatchObject({ code: 1013, reason: 'TOO_MANY_CONNECTIONS_FROM_IP' });
  });
});
