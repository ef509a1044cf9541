import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metric, startServer, type RunningServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { gaps, TestClient } from '../support/ws-client.js';

let server: RunningServer;

beforeAll(async () => {
  server = await startServer({
    SYMBOLS: 'AAPL,MSFT,TSLA,NVDA,AMZN,META,GOOGL,NFLX',
    TICK_RATE: '20000',
    WS_SLOW_BYTES: '262144',
    WS_SLOW_CLOSE_MS: '1500',
  });
});
afterAll(async () => {
  await server?.stop();
});

describe('a client that stops reading', () => {
  it('is conflated, then closed with 4000 SLOW_CONSUMER, while other clients keep their full stream', async () => {
    const healthy = await TestClient.connect(`${server.ws}?symbols=AAPL`);
    const slow = await TestClient.connect(server.ws);
    // Stop reading: the server's send buffer for this client fills up.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();

    await waitFor(async () => (await metric(server, 'tickstream_ws_slow_consumer_closes_total')) >= 1, 'the slow client to be closed', 30_000, 100);
    expect(await metric(server, 'tickstream_ws_ticks_conflated_total')).toBeGreaterThan(0);

    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await slow.waitForClose(15_000)).toEqual({ code: 4000, reason: 'SLOW_CONSUMER' });

    const seen = healthy.ticks('AAPL').length;
    await healthy.waitForTicks(seen + 100, 'AAPL');
    expect(healthy.closed).toBeUndefined();
    expect(gaps(healthy.ticks('AAPL'))).toEqual([]);
    healthy.close();
  });
});
