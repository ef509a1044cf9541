import { afterEach, describe, expect, it } from 'vitest';
import { recordFigures, scaled } from '../support/chaos.js';
import { deliveryFigures } from '../support/delivery-figures.js';
import { bySymbol, cluster, gatewaysAndClients, killProcessorsAt, type Cluster, type Produced } from '../support/distributed.js';
import { deleteTopics, kafkaBrokers, readTopic, uniqueTopic } from '../support/kafka-topic.js';
import { adminClient, deletePrefix, keysUnder, redisUrl, uniquePrefix } from '../support/redis.js';
import { waitFor } from '../support/wait.js';

/**
 * Issue #10, a promise that held and must keep holding: processors SIGKILLed mid-stream, on each
 * event log engine, lose and duplicate nothing. generator → log → 2 processors (one killed and
 * replaced at each random moment) → 2 gateways → clients; the log is read back as ground truth and
 * the store, the latest prices and every client are counted against it.
 */
const KILLS = scaled(2, 6);
const TICKS = scaled(6_000, 30_000);
const RATE = 2_000;
const CLIENTS = scaled(10, 50);
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

/** Kill moments spread over the run (ms after the generator started), at random within each slice. */
const killMoments = (): number[] => {
  const runMs = (TICKS / RATE) * 1000;
  const slice = (runMs - 1_000) / KILLS;
  return Array.from({ length: KILLS }, (_, i) => 500 + i * slice + Math.random() * slice * 0.8);
};

async function run(engine: string, roles: Cluster, produced: () => Promise<Map<string, Produced[]>>): Promise<void> {
  const fleet = await gatewaysAndClients(roles, CLIENTS);
  await Promise.all([roles.start('processor'), roles.start('processor')]);
  const generator = await roles.start('generator', { TICK_RATE: String(RATE), GENERATOR_MAX_TICKS: String(TICKS) });
  await killProcessorsAt(roles, killMoments());
  await waitFor(() => generator.logs.some((l) => l.msg === 'generator finished'), 'the generator to finish', 120_000, 100);
  const figures = await deliveryFigures(await produced(), fleet);
  recordFigures(`processor SIGKILL (${engine})`, { kills: KILLS, clients: CLIENTS, ...figures });
  expect(figures.ticks).toBe(TICKS);
  expect(figures).toMatchObject({ lost: 0, duplicated: 0, staleLatest: 0, clientGaps: 0, clientDuplicates: 0, clientMissing: 0 });
  for (const { client } of fleet.clients) expect(client.closed).toBeUndefined();
}

describe('processors SIGKILLed mid-stream', () => {
  it(`Redis Streams: ${KILLS} kills, nothing lost, duplicated or stale`, async () => {
    const prefix = uniquePrefix('chaos-kill');
    const roles = cluster({ REDIS_URL: redisUrl, REDIS_PREFIX: prefix, EVENT_LOG: 'redis', STREAM_CLAIM_IDLE_MS: '1000' });
    cleanups.push(async () => {
      await roles.stopAll();
      await deletePrefix(prefix);
    });
    const produced = async (): Promise<Map<string, Produced[]>> => {
      const client = await adminClient();
      try {
        const ticks: { symbol: string; seq: number; price: number }[] = [];
        for (const key of await keysUnder(client, prefix)) {
          if ((await client.type(key)) !== 'stream') continue;
          for (const [, fields] of (await client.sendCommand(['XRANGE', key, '-', '+'])) as [string, string[]][]) {
            for (let i = 3; i < fields.length; i += 2) ticks.push(JSON.parse(fields[i]!) as { symbol: string; seq: number; price: number });
          }
        }
        return bySymbol(ticks);
      } finally {
        await client.close();
      }
    };
    await run('Redis Streams', roles, produced);
  }, 300_000);

  it(`Kafka: ${KILLS} kills, nothing lost, duplicated or stale`, async () => {
    const brokers = kafkaBrokers();
    // The Kafka broker is part of the suite's environment (`npm run kafka:up`); no broker is a failure.
    expect(brokers.length, 'KAFKA_BROKERS (run `npm run kafka:up`)').toBeGreaterThan(0);
    const prefix = uniquePrefix('chaos-kill-kafka');
    const topic = uniqueTopic('chaos-kill');
    // Its own processor group: other Kafka suites' processors (group `processor`) may run meanwhile.
    const groupPrefix = `${topic}-`;
    const roles = cluster({
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      EVENT_LOG: 'kafka',
      KAFKA_BROKERS: brokers.join(','),
      TICKS_TOPIC: topic,
      EVENT_LOG_PARTITIONS: '8',
      KAFKA_SESSION_TIMEOUT_MS: '3000',
      KAFKA_GROUP_PREFIX: groupPrefix,
    });
    cleanups.push(async () => {
      await roles.stopAll();
      await deletePrefix(prefix);
      await deleteTopics([topic], [`${groupPrefix}processor`]);
    });
    await run('Kafka', roles, async () => bySymbol(await readTopic<{ symbol: string; seq: number; price: number }>(topic)));
  }, 300_000);
});
