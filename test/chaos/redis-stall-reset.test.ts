import { afterAll, expect, it } from 'vitest';
import { recordFigures, scaled } from '../support/chaos.js';
import { deletePrefix, redisUrl, uniquePrefix } from '../support/redis.js';
import { startServer, type RunningServer } from '../support/server.js';
import { redisUrlThrough, startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { sleep, waitFor } from '../support/wait.js';
import { TestClient, type TickMessage } from '../support/ws-client.js';

/**
 * Redis stalls (forwarding paused: connections open, nothing answers) and resets (every connection
 * ended with a TCP reset) between all processes and Redis, through a proxy this test starts; the
 * shared Redis itself is never touched. The promise to clients: a connection that stays open is
 * gap-free and duplicate-free; a client that was away and resumes with `since` either gets
 * exactly what it missed (`recovered:true`, the next seq first) or is told `recovered:false`.
 */
const ROUNDS = scaled(1, 5);
const STALL_MS = scaled(1_500, 4_000);
const SYMBOLS = ['AAA', 'BBB', 'CCC', 'DDD'];
const prefix = uniquePrefix('chaos-redis-proxy');
const processes: RunningServer[] = [];
const clients: TestClient[] = [];
let proxy: TcpProxy | undefined;

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(processes.map((p) => p.stop('SIGKILL')));
  await proxy?.close();
  await deletePrefix(prefix);
});

const connect = async (url: string): Promise<TestClient> => {
  const client = await TestClient.connect(url);
  clients.push(client);
  return client;
};

/** Seq jumps and repeats in what one connection saw, per symbol. */
function breaks(ticks: readonly TickMessage[]): { gaps: number; duplicates: number } {
  const last = new Map<string, number>();
  let gaps = 0;
  let duplicates = 0;
  for (const t of ticks) {
    const before = last.get(t.symbol);
    if (before !== undefined && t.seq <= before) duplicates++;
    else if (before !== undefined && t.seq > before + 1) gaps++;
    last.set(t.symbol, Math.max(before ?? 0, t.seq));
  }
  return { gaps, duplicates };
}

it(`${ROUNDS} Redis stall(s) of ${STALL_MS} ms and ${ROUNDS} connection reset(s): open clients gap-free, resuming clients told the truth`, async () => {
  const [host, port] = new URL(redisUrl).host.split(':');
  proxy = await startTcpProxy({ host: host!, port: Number(port ?? 6379) });
  const env = { REDIS_URL: redisUrlThrough(proxy), REDIS_PREFIX: prefix, EVENT_LOG: 'redis', SYMBOLS: SYMBOLS.join(','), TICK_RATE: '400', HISTORY_LIMIT: '5000' };
  processes.push(await startServer({ ...env, ROLES: 'generator,processor' }));
  const gateway = await startServer({ ...env, ROLES: 'gateway,api' });
  processes.push(gateway);
  const live = await Promise.all([connect(gateway.ws), connect(`${gateway.ws}?symbols=AAA,BBB`), connect(`${gateway.ws}?batch=1`)]);
  await Promise.all(live.map((c) => c.waitForTicks(40)));

  const figures = { stalls: 0, resets: 0, connectionsReset: 0, resumes: 0, recovered: 0, notRecovered: 0, dishonestRecoveries: 0, resumeGaps: 0 };
  const faults: (() => Promise<void>)[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    faults.push(async () => {
      proxy!.pause();
      figures.stalls++;
      await sleep(STALL_MS);
      proxy!.resume();
    });
    faults.push(async () => {
      figures.connectionsReset += proxy!.resetAll();
      figures.resets++;
    });
  }

  for (const fault of faults) {
    // A client leaves just before the fault and resumes after it, from where it was.
    const leaver = await connect(gateway.ws);
    await leaver.waitForTicks(20);
    leaver.close();
    await leaver.waitForClose();
    const seen = new Map(SYMBOLS.map((s) => [s, leaver.ticks(s).at(-1)?.seq ?? 0]));
    const epoch = leaver.ticks().at(-1)!.epoch;
    const counts = live.map((c) => c.ticks().length);
    await fault();
    // The stream moves again for every open client (the generator held its ticks, nothing skipped).
    await Promise.all(live.map((c, i) => c.waitForTicks(counts[i]! + 100, undefined, 60_000)));

    const resumed = await connect(`${gateway.ws}?symbols=`);
    resumed.send({ action: 'subscribe', symbols: SYMBOLS, since: Object.fromEntries(seen), epoch });
    const ack = (await resumed.waitForMessage((m) => m.type === 'subscribed', 'the resume ack', 30_000)) as { recovered?: Record<string, boolean> };
    await resumed.waitForTicks(40, undefined, 30_000);
    figures.resumes++;
    for (const s of SYMBOLS) {
      const ticks = resumed.ticks(s);
      if (ack.recovered?.[s] === true) {
        figures.recovered++;
        // recovered:true is a promise: the first tick is the one after what the client had.
        if (ticks.length > 0 && ticks[0]!.seq !== seen.get(s)! + 1) figures.dishonestRecoveries++;
      } else figures.notRecovered++;
      figures.resumeGaps += breaks(ticks).gaps;
    }
    resumed.close();
  }

  const open = live.map((c) => breaks(c.ticks()));
  const result = {
    rounds: ROUNDS,
    stallMs: STALL_MS,
    ...figures,
    openClients: live.length,
    openClientTicks: live.reduce((n, c) => n + c.ticks().length, 0),
    openClientGaps: open.reduce((n, b) => n + b.gaps, 0),
    openClientDuplicates: open.reduce((n, b) => n + b.duplicates, 0),
    openClientsClosed: live.filter((c) => c.closed !== undefined).length,
  };
  recordFigures('Redis stall and reset (TCP proxy)', result);
  expect(result).toMatchObject({ openClientGaps: 0, openClientDuplicates: 0, openClientsClosed: 0, dishonestRecoveries: 0, resumeGaps: 0 });
  expect(figures.connectionsReset).toBeGreaterThan(0);
  await waitFor(async () => (await fetch(`${gateway.http}/ready`)).status === 200, 'the gateway ready again', 30_000, 200);
}, 300_000);
