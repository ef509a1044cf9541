import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { gaps, TestClient } from '../support/ws-client.js';

/**
 * The stream epoch: an embedded server's sequence space restarts with the process, so a `since`
 * from before a restart means nothing after it. Without the epoch such a resume could be answered
 * `recovered:true` with ticks that are not the ones the client missed.
 */
const servers: RunningServer[] = [];
const clients: TestClient[] = [];

const start = async (): Promise<RunningServer> => {
  const server = await startServer({ SYMBOLS: 'AAPL,MSFT', TICK_RATE: '2000' });
  servers.push(server);
  return server;
};
const connect = async (server: RunningServer, query = '?symbols='): Promise<TestClient> => {
  const client = await TestClient.connect(server.ws + query);
  clients.push(client);
  return client;
};
const latestSeq = async (server: RunningServer, symbol: string): Promise<number> =>
  ((await (await fetch(`${server.http}/api/v1/quotes/${symbol}`)).json()) as { seq: number }).seq;

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.stop();
});

describe('stream epoch', { timeout: 120_000 }, () => {
  it('ticks and the subscribed reply name the same epoch; a resume in that epoch is recovered', async () => {
    const server = await start();
    const first = await connect(server);
    first.send({ action: 'subscribe', symbols: ['AAPL'] });
    const ticks = await first.waitForTicks(20, 'AAPL');
    const ack = await first.waitForMessage((m) => m.type === 'subscribed', 'the ack');
    expect(typeof ack.epoch).toBe('string');
    expect(new Set(ticks.map((t) => t.epoch))).toEqual(new Set([ack.epoch]));

    const again = await connect(server);
    const last = ticks.at(-1)!.seq;
    again.send({ action: 'subscribe', symbols: ['AAPL'], since: { AAPL: last }, epoch: ack.epoch });
    const resumed = await again.waitForTicks(5, 'AAPL');
    expect(again.messages[0]).toEqual({ type: 'subscribed', symbols: ['AAPL'], epoch: ack.epoch, recovered: { AAPL: true } });
    expect(resumed[0]!.seq).toBe(last + 1);
    expect(gaps(resumed)).toEqual([]);
  });

  it('after an embedded restart: a new epoch, and a resume from the old one gets recovered:false and a fresh snapshot', async () => {
    const before = await start();
    const client = await connect(before, '?symbols=AAPL');
    const seen = await client.waitForTicks(10, 'AAPL');
    const last = seen.at(-1)!;
    await before.stop();

    const after = await start();
    // The new process numbers AAPL from 1 again; once it is past the old position, the same seq
    // names a different tick.
    await waitFor(async () => (await latestSeq(after, 'AAPL')) > last.seq + 50, 'the new process to pass the old seq');
    const back = await connect(after);
    back.send({ action: 'subscribe', symbols: ['AAPL'], since: { AAPL: last.seq }, epoch: last.epoch });
    const ticks = await back.waitForTicks(5, 'AAPL');
    const ack = back.messages[0]!;
    expect(ack).toMatchObject({ type: 'subscribed', symbols: ['AAPL'], recovered: { AAPL: false } });
    expect(ack.epoch).not.toBe(last.epoch);
    // A snapshot (the latest tick), not a replay from last.seq + 1.
    expect(ticks[0]!.seq).toBeGreaterThan(last.seq + 50);
    expect(ticks.every((t) => t.epoch === ack.epoch)).toBe(true);
    expect(gaps(ticks)).toEqual([]);
  });
});
