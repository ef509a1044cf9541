import { afterAll, describe, expect, it } from 'vitest';
import { FinnhubStandin } from '../support/finnhub-standin.js';
import { metric, startServer, type RunningServer } from '../support/server.js';
import { sleep, waitFor } from '../support/wait.js';
import { gaps, TestClient } from '../support/ws-client.js';

const standins: FinnhubStandin[] = [];
const servers: RunningServer[] = [];
const clients: TestClient[] = [];
afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(servers.map((s) => s.stop()));
  await Promise.all(standins.map((s) => s.close()));
});

async function setup(env: Record<string, string> = {}, token = 'good-token'): Promise<{ standin: FinnhubStandin; server: RunningServer }> {
  const standin = await FinnhubStandin.start();
  standins.push(standin);
  const server = await startServer({
    INGEST_SOURCE: 'finnhub',
    FINNHUB_URL: standin.url,
    FINNHUB_API_KEY: token,
    INGEST_SYMBOLS: 'AAPL,BINANCE:BTCUSDT=BTCUSD',
    INGEST_RECONNECT_MAX_MS: '300',
    ...env,
  });
  servers.push(server);
  return { standin, server };
}

async function readiness(server: RunningServer): Promise<{ status: number; checks: Record<string, string> }> {
  const response = await fetch(`${server.http}/ready`);
  return { status: response.status, checks: ((await response.json()) as { checks: Record<string, string> }).checks };
}

// Each test starts its own server and stand-in: on a shared, loaded machine that alone can take tens of seconds.
describe('INGEST_SOURCE=finnhub against a local stand-in', { timeout: 120_000 }, () => {
  it('streams the stand-in’s trades to /ws and REST; reconnects, resubscribes and drops re-sent trades; skips malformed frames', async () => {
    const { standin, server } = await setup();
    await waitFor(() => standin.subscriptions.filter((s) => s.connection === 1).length === 2, 'both subscriptions', 30_000);
    expect(standin.subscriptions.map((s) => s.symbol).sort()).toEqual(['AAPL', 'BINANCE:BTCUSDT']);
    // Every symbol by default: the subscribed ones are in the universe from the start.
    const client = await TestClient.connect(server.ws);
    clients.push(client);
    const t = Date.now();
    const first = [
      { s: 'AAPL', p: 190.1, t, v: 100, c: ['1'] },
      { s: 'AAPL', p: 190.2, t: t + 1, v: 50 },
    ];
    standin.trade(first);
    standin.trade([{ s: 'BINANCE:BTCUSDT', p: 97_000.5, t: t + 2, v: 0.25 }]);
    await client.waitForTicks(2, 'AAPL');
    await client.waitForTicks(1, 'BTCUSD');
    expect(client.ticks('AAPL').map((x) => [x.price, x.seq, x.ts])).toEqual([[190.1, 1, t], [190.2, 2, t + 1]]);
    expect(client.ticks('BTCUSD')[0]).toMatchObject({ price: 97_000.5, size: 0.25, seq: 1 });

    standin.raw('not json');
    standin.raw('{"type":"trade","data":[{"s":"AAPL"}]}');
    standin.raw('{"type":"mystery"}');
    await waitFor(async () => (await metric(server, 'tickstream_ingest_rejected_total', { source: 'finnhub', reason: 'MALFORMED' })) === 3, 'three malformed frames counted');

    // The provider drops us, and replays its recent trades on the new connection.
    standin.resendOnConnect = first;
    standin.drop();
    await waitFor(() => standin.subscriptions.filter((s) => s.connection === 2).length === 2, 'resubscribed on the new connection', 30_000);
    standin.trade([{ s: 'AAPL', p: 191, t: t + 3, v: 10 }]);
    await client.waitForTicks(3, 'AAPL');
    await sleep(300); // room for a wrongly forwarded repeat to show up
    expect(client.ticks('AAPL').map((x) => x.price)).toEqual([190.1, 190.2, 191]);
    expect(gaps(client.ticks('AAPL'))).toEqual([]);
    expect(await metric(server, 'tickstream_ingest_duplicates_total', { source: 'finnhub' })).toBe(2);
    expect(await metric(server, 'tickstream_ingest_reconnects_total', { source: 'finnhub' })).toBe(1);
    expect(await metric(server, 'tickstream_ingest_ticks_total', { source: 'finnhub' })).toBe(4);
    expect(await metric(server, 'tickstream_ingest_source_up', { source: 'finnhub' })).toBe(1);
    expect(await metric(server, 'tickstream_ingest_last_message_age_seconds', { source: 'finnhub' })).toBeGreaterThanOrEqual(0);
    const price = (await (await fetch(`${server.http}/price/AAPL`)).json()) as { data: { price: number } };
    expect(price.data.price).toBe(191);
    expect((await readiness(server)).checks['source finnhub']).toBe('ok');
  });

  it('a refused key is reported on /ready and in the log, and not retried', async () => {
    const { standin, server } = await setup({ INGEST_RECONNECT_MAX_MS: '200' }, 'wrong-token');
    const ready = await waitFor(async () => {
      const r = await readiness(server);
      return r.checks['source finnhub']?.startsWith('down') ? r : undefined;
    }, 'the source down on /ready', 30_000);
    expect(ready.status).toBe(503);
    expect(ready.checks['source finnhub']).toMatch(/^down: Finnhub refused the API key \(HTTP 401\)/);
    expect(server.logs.some((l) => l.level >= 50 && l.msg.includes('Finnhub refused the API key'))).toBe(true);
    // At 200 ms between attempts, retrying would have made several by now.
    await sleep(1_500);
    expect(standin.attempts).toBe(1);
    expect((await fetch(`${server.http}/health`)).status).toBe(200);
  });

  it('a rate limit is reported and waited out for the longest backoff, then the feed resumes', async () => {
    const standin = await FinnhubStandin.start();
    standins.push(standin);
    standin.refuseWith = 429;
    const server = await startServer({ INGEST_SOURCE: 'finnhub', FINNHUB_URL: standin.url, FINNHUB_API_KEY: 'good-token', INGEST_SYMBOLS: 'AAPL', INGEST_RECONNECT_MAX_MS: '3000' });
    servers.push(server);
    const ready = await waitFor(async () => {
      const r = await readiness(server);
      return r.checks['source finnhub']?.startsWith('down') ? r : undefined;
    }, 'the source down on /ready', 30_000);
    expect(ready.status).toBe(503);
    expect(ready.checks['source finnhub']).toMatch(/rate limit/);
    await sleep(1_000);
    expect(standin.attempts).toBe(1);
    standin.refuseWith = undefined;
    await waitFor(() => standin.subscriptions.length === 1, 'subscribed once the limit passed', 15_000);
    await waitFor(async () => (await readiness(server)).checks['source finnhub'] === 'ok', 'the source ok on /ready again');
  });
});
