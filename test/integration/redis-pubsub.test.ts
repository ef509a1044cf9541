import { randomUUID } from 'node:crypto';
import type { RedisClientType } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tickCodec } from '../../src/adapters/codec.js';
import { RedisPubSub } from '../../src/adapters/redis/redis-pubsub.js';
import type { Tick } from '../../src/domain/tick.js';
import { aTick } from '../support/ticks.js';
import { adminClient, redisUrl, uniquePrefix } from '../support/redis.js';
import { waitFor } from '../support/wait.js';

let admin: RedisClientType;
const opened: RedisPubSub<Tick>[] = [];

beforeAll(async () => {
  admin = await adminClient();
});

afterAll(async () => {
  await admin.close();
});

afterEach(async () => {
  for (const pubsub of opened.splice(0)) await pubsub.close();
});

async function open(): Promise<{ pubsub: RedisPubSub<Tick>; prefix: string; clientName: string }> {
  const prefix = uniquePrefix('pubsub-it');
  // A name of its own, so the test can find (and kill) exactly this adapter's connection.
  const clientName = `it-${randomUUID().slice(0, 8)}`;
  const pubsub = new RedisPubSub<Tick>({ url: redisUrl, prefix, codec: tickCodec, clientName });
  await pubsub.start();
  opened.push(pubsub);
  return { pubsub, prefix, clientName };
}

async function numSub(channel: string): Promise<number> {
  const counts = await admin.pubSubNumSub(channel);
  return Number(Object.values(counts)[0] ?? 0);
}

/** The connection id of a client by name, from CLIENT LIST. */
async function clientIdByName(name: string): Promise<string | undefined> {
  const list = String(await admin.sendCommand(['CLIENT', 'LIST', 'TYPE', 'pubsub']));
  const line = list.split('\n').find((l) => l.includes(` name=${name} `));
  return line?.match(/\bid=(\d+)/)?.[1];
}

describe('RedisPubSub on a real Redis', () => {
  it('resolves subscribe only once Redis holds the subscription, and holds one per channel', async () => {
    const { pubsub, prefix } = await open();
    const upstream = `${prefix}ticks.AAPL`;
    const off1 = await pubsub.subscribe('ticks.AAPL', () => {});
    expect(await numSub(upstream)).toBe(1);
    const off2 = await pubsub.subscribe('ticks.AAPL', () => {});
    expect(await numSub(upstream)).toBe(1);
    await off1();
    expect(await numSub(upstream)).toBe(1);
    await off2();
    expect(await numSub(upstream)).toBe(0);
    expect(pubsub.channels()).toEqual([]);
  });

  it('resubscribes after its connection is killed, then calls onResubscribed; later messages arrive', async () => {
    const { pubsub, prefix, clientName } = await open();
    const got: number[] = [];
    await pubsub.subscribe('ticks.AAPL', (t) => got.push(t.seq));
    await pubsub.subscribe('ticks.MSFT', (t) => got.push(t.seq));
    const subscribedWhenCalled: number[] = [];
    let calls = 0;
    pubsub.onResubscribed(() => {
      calls++;
      // Read straight away: both channels must already be held again when the listener runs.
      void Promise.all([numSub(`${prefix}ticks.AAPL`), numSub(`${prefix}ticks.MSFT`)]).then((n) => subscribedWhenCalled.push(...n));
    });

    const id = await clientIdByName(`${clientName}-subscriber`);
    expect(id, 'the subscriber connection in CLIENT LIST').toBeDefined();
    // TYPE pubsub plus our own id: a bare TYPE pubsub would also cut other suites running in parallel.
    expect(Number(await admin.sendCommand(['CLIENT', 'KILL', 'ID', id!, 'TYPE', 'pubsub']))).toBe(1);

    await waitFor(() => calls > 0, 'onResubscribed');
    await waitFor(() => subscribedWhenCalled.length === 2, 'the subscription counts');
    expect(subscribedWhenCalled).toEqual([1, 1]);
    expect(await clientIdByName(`${clientName}-subscriber`)).not.toBe(id);

    await pubsub.publish('ticks.AAPL', aTick({ seq: 10 }));
    await pubsub.publishMany([{ channel: 'ticks.MSFT', message: aTick({ symbol: 'MSFT', seq: 11 }) }]);
    await waitFor(() => got.length >= 2, 'messages after the reconnect');
    expect(got).toEqual([10, 11]);
    expect(calls).toBe(1);
    await expect(pubsub.ping()).resolves.toBeUndefined();
  });

  it('drops and counts messages its codec cannot read, delivering the rest', async () => {
    const { pubsub, prefix } = await open();
    const got: Tick[] = [];
    await pubsub.subscribe('ticks.AAPL', (t) => got.push(t));
    // A bad producer, straight onto the channel.
    await admin.publish(`${prefix}ticks.AAPL`, 'not json');
    await admin.publish(`${prefix}ticks.AAPL`, JSON.stringify({ symbol: 'AAPL', price: -1 }));
    const good = aTick({ seq: 3 });
    await pubsub.publish('ticks.AAPL', good);
    await waitFor(() => got.length > 0, 'the good message');
    expect(got).toEqual([good]);
    expect(pubsub.malformed).toBe(2);
  });

  it('publishMany sends one PUBLISH per channel; listeners still get each message, in order', async () => {
    const { pubsub, prefix } = await open();
    const got: Record<string, number[]> = { AAPL: [], MSFT: [] };
    for (const symbol of Object.keys(got)) await pubsub.subscribe(`ticks.${symbol}`, (t) => got[symbol]!.push(t.seq));
    // What travels on the wire, seen by a plain Redis subscriber.
    const raw = admin.duplicate();
    await raw.connect();
    const payloads: string[] = [];
    await raw.subscribe(`${prefix}ticks.AAPL`, (message) => payloads.push(message));
    try {
      const messages = [1, 2, 3, 4, 5].flatMap((seq) => [aTick({ seq }), aTick({ symbol: 'MSFT', seq })]).map((t) => ({ channel: `ticks.${t.symbol}`, message: t }));
      await pubsub.publishMany(messages);
      // A lone message goes as itself, readable by any subscriber of the channel.
      await pubsub.publishMany([{ channel: 'ticks.AAPL', message: aTick({ seq: 6 }) }]);
      await waitFor(() => got.AAPL!.length === 6 && got.MSFT!.length === 5 && payloads.length === 2, 'every message');
      expect(got).toEqual({ AAPL: [1, 2, 3, 4, 5, 6], MSFT: [1, 2, 3, 4, 5] });
      expect(payloads[0]!.split('\n')).toHaveLength(6); // the batch marker and five ticks
      expect(JSON.parse(payloads[1]!)).toMatchObject({ symbol: 'AAPL', seq: 6 });
    } finally {
      await raw.close();
    }
  });

  it('delivers the readable messages of a batch and counts the others', async () => {
    const { pubsub, prefix } = await open();
    const got: number[] = [];
    await pubsub.subscribe('ticks.AAPL', (t) => got.push(t.seq));
    await admin.publish(`${prefix}ticks.AAPL`, ['batch', JSON.stringify(aTick({ seq: 1 })), 'not json', JSON.stringify(aTick({ seq: 2 }))].join('\n'));
    await waitFor(() => got.length === 2, 'the two good ticks');
    expect(got).toEqual([1, 2]);
    expect(pubsub.malformed).toBe(1);
  });

  it('keeps delivering to the other listeners when one throws', async () => {
    const { pubsub } = await open();
    const got: number[] = [];
    await pubsub.subscribe('ticks.AAPL', () => {
      throw new Error('listener bug');
    });
    await pubsub.subscribe('ticks.AAPL', (t) => got.push(t.seq));
    await pubsub.publish('ticks.AAPL', aTick({ seq: 1 }));
    await pubsub.publish('ticks.AAPL', aTick({ seq: 2 }));
    await waitFor(() => got.length === 2, 'both messages');
    expect(pubsub.listenerErrors).toBe(2);
  });
});
