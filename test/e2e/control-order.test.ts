import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { TestClient, type ServerMessage } from '../support/ws-client.js';

/**
 * Issue #10 item 11: control replies leave in the order the client's messages came. A `subscribe`
 * waits for the store before its reply; an unreadable frame or a rate-limited message right after
 * it used to be answered first. And the URL's subscription is judged at the upgrade: a client that
 * sent nothing never gets an error frame.
 */
let server: RunningServer;
const clients: TestClient[] = [];
const connect = async (query: string): Promise<TestClient> => {
  const client = await TestClient.connect(server.ws + query);
  clients.push(client);
  return client;
};

beforeAll(async () => {
  server = await startServer({ SYMBOLS: 'AAPL,MSFT,TSLA', TICK_RATE: '200', WS_MAX_SYMBOLS: '2', WS_MESSAGE_RATE: '0.1', WS_MESSAGE_BURST: '10' });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server?.stop();
});

/** Control replies as `type[:code][#id]`, in arrival order. */
const replies = (client: TestClient): string[] =>
  client.controls().map((m: ServerMessage) => {
    const r = m as { type: string; code?: string; id?: unknown };
    return `${r.type}${r.code ? `:${r.code}` : ''}${r.id !== undefined ? `#${String(r.id)}` : ''}`;
  });

describe('replies in the order of the messages', () => {
  it('a parse error or an unknown action is answered after the replies to earlier messages', async () => {
    const client = await connect('?symbols=');
    client.send({ action: 'subscribe', symbols: ['AAPL'], id: 1 });
    client.send('{"action":"subscribe",');
    client.send({ action: 'ping', id: 3 });
    client.send(['MSFT']);
    client.send({ action: 'explode', id: 5 });
    client.send({ action: 'ping', id: 6 });
    await waitFor(() => (client.controls().length >= 6 ? true : undefined), 'six replies');
    expect(replies(client)).toEqual(['subscribed#1', 'error:BAD_JSON', 'pong#3', 'subscribed', 'error:UNKNOWN_ACTION#5', 'pong#6']);
  });

  it('a RATE_LIMITED error does not overtake the replies to the messages before it', async () => {
    const client = await connect('?symbols=');
    client.send({ action: 'subscribe', symbols: ['TSLA'], id: 0 });
    for (let i = 1; i < 10; i++) client.send({ action: 'ping', id: i });
    client.send({ action: 'ping', id: 'over' });
    await waitFor(() => (client.controls().length >= 11 ? true : undefined), 'eleven replies');
    const expected = ['subscribed#0', ...Array.from({ length: 9 }, (_, i) => `pong#${i + 1}`), 'error:RATE_LIMITED'];
    expect(replies(client)).toEqual(expected);
  });
});

describe("the URL's subscription is judged at the upgrade", () => {
  const refused = (query: string) =>
    TestClient.connect(server.ws + query).then(
      (client) => {
        client.close();
        throw new Error(`expected ${query} to be refused`);
      },
      (error: { status?: number; body?: string }) => ({ status: error.status, code: (JSON.parse(error.body ?? '{}') as { error?: { code?: string } }).error?.code }),
    );

  it('unknown or malformed symbols: 404 UNKNOWN_SYMBOL', async () => {
    expect(await refused('?symbols=NOPE')).toEqual({ status: 404, code: 'UNKNOWN_SYMBOL' });
    expect(await refused('?symbols=AAPL,%24%24%20x')).toEqual({ status: 404, code: 'UNKNOWN_SYMBOL' });
  });

  it('more symbols than a connection may hold: 400 TOO_MANY_SYMBOLS, not an error frame after the upgrade', async () => {
    expect(await refused('?symbols=AAPL,MSFT,TSLA')).toEqual({ status: 400, code: 'TOO_MANY_SYMBOLS' });
  });

  it('a client that never writes gets ticks only', async () => {
    const client = await connect('?symbols=AAPL,MSFT');
    await client.waitForTicks(5);
    expect(client.controls()).toEqual([]);
  });
});
