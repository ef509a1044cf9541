import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { TestClient } from '../support/ws-client.js';

/**
 * Issue #10 item 8: the per-socket limit alone let one address send the per-socket rate times its
 * number of sockets. Here four sockets from 127.0.0.1 each stay well inside their own limit (50
 * at once), but together they pass the address's budget (20 at once, 1 a second): the surplus is
 * refused with RATE_LIMITED, while another address is served as usual.
 */
let server: RunningServer;
const clients: TestClient[] = [];
const SOCKETS = 4;
const PER_SOCKET = 15;
const ADDRESS_BURST = 20;

beforeAll(async () => {
  server = await startServer({
    SYMBOLS: 'AAPL,MSFT',
    TICK_RATE: '50',
    WS_MESSAGE_RATE: '50',
    WS_MESSAGE_BURST: '50',
    WS_ADDRESS_MESSAGE_RATE: '1',
    WS_ADDRESS_MESSAGE_BURST: String(ADDRESS_BURST),
  });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server?.stop();
});

const connect = async (localAddress: string): Promise<TestClient> => {
  const client = await TestClient.connect(`${server.ws}?symbols=`, { localAddress });
  clients.push(client);
  return client;
};

it('several sockets of one address share one budget for control messages', async () => {
  const sockets: TestClient[] = [];
  for (let i = 0; i < SOCKETS; i++) sockets.push(await connect('127.0.0.1'));
  const started = Date.now();
  for (let n = 0; n < PER_SOCKET; n++) for (const s of sockets) s.send({ action: 'ping', id: n });
  const answered = (): number => sockets.reduce((sum, s) => sum + s.controls().length, 0);
  const pongs = (): number => sockets.reduce((sum, s) => sum + s.controls('pong').length, 0);
  // The address's first ADDRESS_BURST pings are answered, whichever sockets they came on (the
  // server reads each socket's pings as they arrive, not in the round-robin they were sent in);
  // a socket that had a ping refused hears RATE_LIMITED (once a second at most). So every socket
  // ends with all its pings answered or with a RATE_LIMITED reply.
  await waitFor(
    () => (sockets.every((s) => s.controls('error').length > 0 || s.controls('pong').length === PER_SOCKET) ? true : undefined),
    'every socket to have all its pings answered or a RATE_LIMITED reply',
    20_000,
  );
  const seconds = (Date.now() - started) / 1000;
  const limited = sockets.flatMap((s) => s.controls('error')).map((m) => m as { code?: string; message?: string });
  console.log(`address budget: ${SOCKETS * PER_SOCKET} pings from ${SOCKETS} sockets, ${pongs()} answered, ${limited.length} RATE_LIMITED replies, ${answered()} replies in ${seconds.toFixed(1)} s`);
  expect(limited.length).toBeGreaterThan(0);
  expect(limited.every((m) => m.code === 'RATE_LIMITED' && /one address/.test(m.message ?? ''))).toBe(true);
  // The burst, plus what the budget refilled (1/s) while the pings were in flight.
  expect(pongs()).toBeLessThanOrEqual(ADDRESS_BURST + Math.ceil(seconds) + 1);
  expect(pongs()).toBeLessThan(SOCKETS * PER_SOCKET);
  // No socket was closed: each stayed far inside the flood tolerance.
  expect(sockets.every((s) => s.closed === undefined)).toBe(true);

  // Another address has its own budget.
  const other = await connect('127.0.0.2');
  other.send({ action: 'ping', id: 'other' });
  expect(await other.waitForMessage((m) => m.type === 'pong', 'a pong for the other address')).toMatchObject({ id: 'other' });
});
