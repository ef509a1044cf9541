import { afterAll, expect, it } from 'vitest';
import { recordFigures, scaled } from '../support/chaos.js';
import { adminClient, deletePrefix, redisUrl, uniquePrefix } from '../support/redis.js';
import { metric, startServer, type RunningServer } from '../support/server.js';
import { gaps, TestClient } from '../support/ws-client.js';

/**
 * Redis pub/sub connections killed mid-stream (CLIENT KILL of this system's subscribers, named by
 * REDIS_CLIENT_NAME; other suites share the Redis): the gateways resubscribe and fill what was
 * published meanwhile from the store, so clients stay gap-free and open.
 */
const KILLS = scaled(1, 8);
const SYMBOLS = ['AAPL', 'MSFT', 'TSLA'];
const prefix = uniquePrefix('chaos-pubsub-kill');
const processes: RunningServer[] = [];

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop('SIGKILL')));
  await deletePrefix(prefix);
});

const system = async (roles: string, env: Record<string, string> = {}): Promise<RunningServer> => {
  const server = await startServer({ REDIS_URL: redisUrl, REDIS_PREFIX: prefix, EVENT_LOG: 'redis', SYMBOLS: SYMBOLS.join(','), TICK_RATE: '600', HISTORY_LIMIT: '5000', ROLES: roles, ...env });
  processes.push(server);
  return server;
};

async function killSubscribers(clientName: string): Promise<number> {
  const admin = await adminClient();
  try {
    const list = String(await admin.sendCommand(['CLIENT', 'LIST', 'TYPE', 'pubsub']));
    const ids = [...list.matchAll(/^id=(\d+) .*name=(\S*)/gm)].filter((m) => m[2]!.startsWith(clientName)).map((m) => m[1]!);
    for (const id of ids) await admin.sendCommand(['CLIENT', 'KILL', 'ID', id]);
    return ids.length;
  } finally {
    await admin.close();
  }
}

it(`pub/sub connections killed ${KILLS} time(s): gateways resubscribe and fill the gap, clients gap-free`, async () => {
  const clientName = `ts-kill-${Math.random().toString(36).slice(2, 10)}`;
  await system('generator,processor');
  const gateways = await Promise.all([system('gateway,api', { REDIS_CLIENT_NAME: clientName }), system('gateway,api', { REDIS_CLIENT_NAME: clientName })]);
  const clients = await Promise.all(gateways.flatMap((g) => [TestClient.connect(g.ws), TestClient.connect(`${g.ws}?symbols=AAPL`)]));
  await Promise.all(clients.map((c) => c.waitForTicks(50)));

  let killed = 0;
  for (let k = 0; k < KILLS; k++) {
    const n = await killSubscribers(clientName);
    expect(n).toBeGreaterThanOrEqual(2);
    killed += n;
    const counts = clients.map((c) => c.ticks().length);
    await Promise.all(clients.map((c, i) => c.waitForTicks(counts[i]! + 300, undefined, 30_000)));
  }
  const problems = clients.flatMap((c) => SYMBOLS.flatMap((s) => gaps(c.ticks(s))));
  // The gap was there and was filled (not merely absent).
  const fills = (await metric(gateways[0]!, 'tickstream_ws_gap_fills_total')) + (await metric(gateways[1]!, 'tickstream_ws_gap_fills_total'));
  const figures = { kills: KILLS, connectionsKilled: killed, clients: clients.length, ticksSeen: clients.reduce((n, c) => n + c.ticks().length, 0), gapFills: fills, clientGaps: problems.length, clientsClosed: clients.filter((c) => c.closed).length };
  recordFigures('pub/sub connection kill', figures);
  for (const c of clients) c.close();
  expect(problems).toEqual([]);
  expect(figures.clientsClosed).toBe(0);
  expect(fills).toBeGreaterThan(0);
}, 180_000);
