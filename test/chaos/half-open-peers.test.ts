import { afterAll, expect, it } from 'vitest';
import { recordFigures, scaled } from '../support/chaos.js';
import { metric, startServer, type RunningServer } from '../support/server.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait.js';
import { TestClient } from '../support/ws-client.js';

/**
 * Half-open peers: clients whose path goes silent without a FIN or a reset (a proxy that reads and
 * discards everything, both ways). The gateway must drop each within two heartbeats while a peer
 * that answers stays. Heartbeats are counted, not timed: a control client on a direct connection
 * receives the gateway's ping of every beat, and no more than two of them may come between the
 * moment the path went silent and the moment the gateway closed the last silent peer.
 */
const PEERS = scaled(20, 300);
const HEARTBEAT_MS = 500;
let server: RunningServer | undefined;
let proxy: TcpProxy | undefined;
const clients: TestClient[] = [];

afterAll(async () => {
  for (const c of clients) c.close();
  await proxy?.close();
  await server?.stop();
});

it(`${PEERS} half-open peers are dropped within two heartbeats; a peer that answers stays`, async () => {
  server = await startServer({ WS_HEARTBEAT_MS: String(HEARTBEAT_MS), SYMBOLS: 'AAPL,MSFT', TICK_RATE: '20', WS_CONNECT_BURST: String(PEERS + 10) });
  let beats = 0;
  let beatsAtDrop: number[] = [];
  proxy = await startTcpProxy({ host: '127.0.0.1', port: server.port }, { onUpstreamClosed: () => beatsAtDrop.push(beats) });
  const control = await TestClient.connect(`${server.ws}?symbols=AAPL`);
  clients.push(control);
  control.ws.on('ping', () => beats++);
  for (let i = 0; i < PEERS; i++) clients.push(await TestClient.connect(`ws://127.0.0.1:${proxy.port}/ws?symbols=MSFT`));
  await waitFor(() => clients.every((c) => c.ticks().length > 0), 'every client to get ticks', 30_000);
  expect(await metric(server, 'tickstream_ws_connections')).toBe(PEERS + 1);

  // Silence begins right after a beat's ping reached the control client, so every peer has
  // answered the ping before it (or is answering it now: a pong in flight is lost too).
  const before = beats;
  await waitFor(() => beats > before, 'a heartbeat', 10_000, 5);
  beatsAtDrop = [];
  const silentFrom = beats;
  const startedAt = Date.now();
  proxy.blackhole();
  await waitFor(() => beatsAtDrop.length === PEERS, 'every half-open peer to be dropped', 30_000, 10);
  const droppedAfterMs = Date.now() - startedAt;
  const maxBeats = Math.max(...beatsAtDrop) - silentFrom;
  const connections = await metric(server, 'tickstream_ws_connections');

  const figures = { peers: PEERS, heartbeatMs: HEARTBEAT_MS, dropped: beatsAtDrop.length, mostHeartbeatsBeforeDrop: maxBeats, droppedAfterMs, connectionsLeft: connections, controlOpen: control.closed === undefined };
  recordFigures('half-open peers', figures);
  expect(maxBeats).toBeLessThanOrEqual(2);
  expect(connections).toBe(1);
  expect(control.closed).toBeUndefined();
  const seen = control.ticks().length;
  await control.waitForTicks(seen + 2);
}, 120_000);
