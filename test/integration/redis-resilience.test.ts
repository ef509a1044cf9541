import { afterAll, describe, expect, it } from 'vitest';
import { deletePrefix, redisUrl, uniquePrefix } from '../support/redis.js';
import { startServer, type RunningServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { gaps, TestClient } from '../support/ws-client.js';

// Pub/sub connections killed mid-stream are in the reliability suite (test/chaos/pubsub-kill.test.ts).
const processes: RunningServer[] = [];
const prefixes: string[] = [];

const system = (prefix: string, roles: string, env: Record<string, string> = {}) =>
  startServer({ REDIS_URL: redisUrl, REDIS_PREFIX: prefix, EVENT_LOG: 'redis', SYMBOLS: 'AAPL,MSFT,TSLA', TICK_RATE: '600', HISTORY_LIMIT: '5000', ROLES: roles, ...env }).then((s) => {
    processes.push(s);
    return s;
  });

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop('SIGKILL')));
  for (const p of prefixes) await deletePrefix(p);
});

describe('the whole Redis-backed system restarts', () => {
  it('prices and history survive; resuming clients get what they missed, or "not recovered" with a snapshot', async () => {
    const prefix = uniquePrefix('restart');
    prefixes.push(prefix);
    // History keeps 2000 ticks per symbol; the first run makes more than that of MSFT. Its generator
    // is a process of its own and stops first, so the rest of the first run processes and delivers
    // everything that was appended: what the client saw last is the log's last MSFT tick, however far
    // behind the generator a loaded machine left the processor.
    const generator = await system(prefix, 'generator', { TICK_RATE: '6000', HISTORY_LIMIT: '2000' });
    const first = await system(prefix, 'processor,gateway,api', { HISTORY_LIMIT: '2000' });
    const client = await TestClient.connect(`${first.ws}?symbols=MSFT`);
    await client.waitForTicks(2100, 'MSFT', 60_000);
    expect((await generator.stop('SIGTERM')).code).toBe(0);
    const quote = async () => ((await (await fetch(`${first.http}/api/v1/quotes/MSFT`)).json()) as { seq: number; price: number });
    let previous = -1;
    const before = await waitFor(
      async () => {
        const now = await quote();
        const settled = now.seq === previous && client.ticks('MSFT').at(-1)?.seq === now.seq;
        previous = now.seq;
        return settled ? now : undefined;
      },
      'the first run to process and deliver its whole log',
      60_000,
      500,
    );
    expect((await first.stop('SIGTERM')).code).toBe(0);
    await client.waitForClose();
    const lastSeen = client.ticks('MSFT').at(-1)!.seq;
    expect(lastSeen).toBe(before.seq);

    const second = await system(prefix, 'all', { TICK_RATE: '300', HISTORY_LIMIT: '2000', API_MAX_LIMIT: '2000' });
    // History from before the restart is still there (the whole of it, 2000, is asked for: by the
    // time it is read the new generator has added to it), and the generator continues the sequence.
    const { ticks } = (await (await fetch(`${second.http}/api/v1/ticks/MSFT?limit=2000`)).json()) as { ticks: { seq: number }[] };
    expect(ticks.some((t) => t.seq === before.seq)).toBe(true);
    const resumed = await TestClient.connect(`${second.ws}?symbols=`);
    resumed.send({ action: 'subscribe', symbols: ['MSFT'], since: { MSFT: lastSeen } });
    // A generous wait: the new processor may first wait out the old one's partition leases.
    await resumed.waitForTicks(50, 'MSFT', 30_000);
    expect(resumed.messages[0]).toEqual({ type: 'subscribed', symbols: ['MSFT'], epoch: expect.any(String), recovered: { MSFT: true } });
    const after = resumed.ticks('MSFT');
    expect(after[0]!.seq).toBe(lastSeen + 1);
    expect(gaps(after)).toEqual([]);

    // Asking for more than history holds: an explicit "not recovered" and a fresh snapshot.
    const late = await TestClient.connect(`${second.ws}?symbols=`);
    late.send({ action: 'subscribe', symbols: ['MSFT'], since: { MSFT: 1 } });
    await late.waitForTicks(5, 'MSFT');
    expect(late.messages[0]).toEqual({ type: 'subscribed', symbols: ['MSFT'], epoch: expect.any(String), recovered: { MSFT: false } });
    const snapshot = late.ticks('MSFT')[0]!;
    expect(snapshot.seq).toBeGreaterThan(2100);
    await waitFor(() => late.ticks('MSFT').length > 5, 'live ticks after the snapshot');
    expect(gaps(late.ticks('MSFT'))).toEqual([]);
  }, 180_000);
});
