import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { bySymbol, cluster, expectExactlyOnce, gatewaysAndClients, runningProcessors } from '../support/distributed.js';
import { deleteTopics, kafkaBrokers, readTopic, uniqueTopic } from '../support/kafka-topic.js';
import { deletePrefix, redisUrl, uniquePrefix } from '../support/redis.js';
import { sleep, waitFor } from '../support/wait.js';

/**
 * Distributed scenarios on the real Kafka broker (KAFKA_BROKERS, set by the test setup when
 * `npm run kafka:up` runs one); processors SIGKILLed mid-stream, on Kafka and on Redis Streams, are
 * in the reliability suite (test/chaos/processor-kill.test.ts). Redis holds the store
 * and pub/sub; the tick log is a Kafka topic of its own per scenario, read back as ground truth.
 * A killed processor's partitions move after KAFKA_SESSION_TIMEOUT_MS (3 s here).
 */
const brokers = kafkaBrokers();
const cleanups: (() => Promise<void>)[] = [];

// Both scenarios use the processors' group (`processor`): each ends its processes before the next.
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

function kafkaCluster(label: string) {
  const prefix = uniquePrefix(label);
  const topic = uniqueTopic(label);
  const roles = cluster({
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    EVENT_LOG: 'kafka',
    KAFKA_BROKERS: brokers.join(','),
    TICKS_TOPIC: topic,
    EVENT_LOG_PARTITIONS: '8',
    KAFKA_SESSION_TIMEOUT_MS: '3000',
  });
  cleanups.push(async () => {
    await roles.stopAll();
    await deletePrefix(prefix);
    await deleteTopics([topic], ['processor']);
  });
  return { roles, produced: async () => bySymbol(await readTopic<{ symbol: string; seq: number; price: number }>(topic)) };
}

describe.skipIf(brokers.length === 0)('on Kafka', () => {
  it('rebalance storm: processors 1 → 3 → 2 while ticks flow, nothing lost, per-symbol order kept', async () => {
    const { roles, produced } = kafkaCluster('kafka-rebalance');
    const total = 10_000;
    const fleet = await gatewaysAndClients(roles);
    await roles.start('processor');
    const generator = await roles.start('generator', { TICK_RATE: '2000', GENERATOR_MAX_TICKS: String(total) });
    await sleep(1_000);
    await Promise.all([roles.start('processor'), roles.start('processor')]);
    expect(runningProcessors(roles)).toHaveLength(3);
    await sleep(1_500);
    // A graceful stop: the member commits its batch and leaves the group.
    await runningProcessors(roles)[0]!.stop('SIGTERM');
    expect(runningProcessors(roles)).toHaveLength(2);
    await waitFor(() => generator.logs.some((l) => l.msg === 'generator finished'), 'the generator to finish', 60_000, 100);
    await expectExactlyOnce(await produced(), fleet, total);
  }, 300_000);

  it('broker paused mid-stream (SIGSTOP for longer than a session, then SIGCONT): producer and processor recover by themselves, every acknowledged tick applied once', async () => {
    // The broker `npm run kafka:up` started (the pid it recorded); the pause is shorter than the
    // other Kafka tests' deadlines, which only see slower answers meanwhile.
    const pid = Number(readFileSync(new URL('../../.cache/kafka/broker.pid', import.meta.url), 'utf8'));
    const { roles, produced } = kafkaCluster('kafka-pause');
    const total = 8_000;
    const fleet = await gatewaysAndClients(roles);
    await roles.start('processor');
    const generator = await roles.start('generator', { TICK_RATE: '2000', GENERATOR_MAX_TICKS: String(total) });
    await sleep(1_500);
    process.kill(pid, 'SIGSTOP');
    try {
      await sleep(5_000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await waitFor(() => generator.logs.some((l) => l.msg === 'generator finished'), 'the generator to finish', 120_000, 100);
    // Ground truth: what the log acknowledged. Every one of those ticks is applied, once, in order.
    const log = await produced();
    const api = fleet.gateways[0]!.http;
    await waitFor(async () => {
      const { quotes } = (await (await fetch(`${api}/api/v1/quotes`)).json()) as { quotes: { symbol: string; seq: number }[] };
      return quotes.length === log.size && quotes.every((q) => q.seq === log.get(q.symbol)!.at(-1)!.seq);
    }, 'the store to hold the last logged tick of every symbol', 120_000, 200);
    for (const [symbol, list] of log) {
      const { ticks } = (await (await fetch(`${api}/api/v1/ticks/${symbol}?limit=5000`)).json()) as { ticks: { seq: number; price: number }[] };
      expect(ticks.map((t) => t.seq).reverse()).toEqual(list.map((t) => t.seq));
      expect(ticks.map((t) => t.price).reverse()).toEqual(list.map((t) => t.price));
    }
    // Ticks flowed again after the pause: the log holds ticks appended after it.
    expect([...log.values()].reduce((n, l) => n + l.length, 0)).toBeGreaterThan(total / 2);
  }, 300_000);
});
