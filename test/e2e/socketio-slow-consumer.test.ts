import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { metric, startServer, type RunningServer } from '../support/server.js';
import { SocketIoTestClient } from '../support/socketio-client.js';
import { waitFor } from '../support/wait.js';

/**
 * Socket.IO clients that stop reading must not grow the gateway's memory: like the native
 * gateway (WS_SLOW_BYTES, WS_SLOW_CLOSE_MS), one that falls behind is conflated, then disconnected
 * if it stays behind, while healthy clients keep their stream. Two kinds of stalled client are
 * made by hand on the Engine.IO wire: a websocket whose TCP socket is no longer read, and a
 * long-polling client that never polls again.
 */

let server: RunningServer;

beforeAll(async () => {
  server = await startServer({
    SYMBOLS: 'AAPL,MSFT,TSLA,NVDA,AMZN,META,GOOGL,NFLX',
    TICK_RATE: '20000',
    WS_SLOW_BYTES: '262144',
    WS_SLOW_CLOSE_MS: '1500',
  });
  await waitFor(async () => (await fetch(`${server.http}/ready`)).status === 200, '/ready', 30_000, 100);
});
afterAll(async () => {
  await server?.stop();
});

/** A Socket.IO connection over a bare websocket: the Engine.IO handshake, then `40` (connect to `/`). */
async function stalledWebsocket(): Promise<{ ws: WebSocket; closed: Promise<number> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/socket.io/?EIO=4&transport=websocket`);
  ws.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve()); // the open packet `0{"sid":…}`
    ws.once('error', reject);
  });
  ws.send('40');
  await new Promise<void>((resolve) => ws.once('message', () => resolve())); // `40{"sid":…}`: connected
  return { ws, closed };
}

describe('a Socket.IO client that stops reading', () => {
  it('over websocket: conflated, then disconnected, while a healthy client keeps its stream', async () => {
    const healthy = await SocketIoTestClient.connect(server.http, { transports: ['websocket'] });
    await healthy.request('subscribe', ['AAPL']);
    // Before the subscribe, the connection had every symbol (each with its own seq space).
    const from = healthy.ticks.length;
    const before = await metric(server, 'tickstream_socketio_slow_consumer_closes_total');

    const slow = await stalledWebsocket();
    // Stop reading: the kernel's buffers fill, then ws's, then engine.io's write buffer.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();

    await waitFor(async () => (await metric(server, 'tickstream_socketio_slow_consumer_closes_total')) > before, 'the slow client to be cut', 30_000, 100);
    expect(await metric(server, 'tickstream_socketio_ticks_conflated_total')).toBeGreaterThan(0);
    expect(server.logs.some((l) => l.msg === 'disconnecting slow Socket.IO consumer' && l.transport === 'websocket')).toBe(true);
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    await slow.closed;

    const seen = healthy.ticks.length;
    await waitFor(() => healthy.ticks.length >= seen + 100, '100 more ticks for the healthy client', 15_000);
    healthy.close();
    expect(healthy.disconnectReason).toBe('io client disconnect');
    const aapl = healthy.ticksSince(from);
    expect(aapl.every((t) => t.symbol === 'AAPL')).toBe(true);
    // In order and none missing (the healthy client was never conflated); the subscribe repeats
    // the latest AAPL tick it already had, once.
    const seqs = aapl.map((t) => t.seq);
    const breaks = seqs.flatMap((seq, i) => (i === 0 || seq === seqs[i - 1]! + 1 || (i === 1 && seq === seqs[0]) ? [] : [[i, seqs[i - 1], seq]]));
    expect(breaks).toEqual([]);
    await waitFor(async () => (await metric(server, 'tickstream_socketio_connections')) === 0, 'every Socket.IO connection to be released');
  });

  it('over long-polling: a client that never polls again is conflated, then disconnected', async () => {
    const before = await metric(server, 'tickstream_socketio_slow_consumer_closes_total');
    const base = `${server.http}/socket.io/?EIO=4&transport=polling`;
    const open = await (await fetch(base)).text();
    const sid = (JSON.parse(open.slice(1)) as { sid: string }).sid;
    const connect = await fetch(`${base}&sid=${sid}`, { method: 'POST', body: '40' });
    expect(connect.status).toBe(200);
    // No GET from here on: everything the server emits waits in its buffer for this client.
    await waitFor(async () => (await metric(server, 'tickstream_socketio_slow_consumer_closes_total')) > before, 'the silent poller to be cut', 30_000, 100);
    expect(server.logs.some((l) => l.msg === 'disconnecting slow Socket.IO consumer' && l.transport === 'polling')).toBe(true);
    // Its session is gone: the sid is unknown now.
    const after = await fetch(`${base}&sid=${sid}`);
    expect(after.status).toBe(400);
    await waitFor(async () => (await metric(server, 'tickstream_socketio_connections')) === 0, 'the poller to be released');
  });
});
