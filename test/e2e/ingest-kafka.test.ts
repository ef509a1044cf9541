import { Admin, Producer, stringSerializers } from '@platformatic/kafka';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteTopics, kafkaBrokers, uniqueTopic } from '../support/kafka-topic.js';
import { metric, startServer, type RunningServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { TestClient } from '../support/ws-client.js';

/**
 * INGEST_SOURCE=kafka on the real broker: records in each reference pipeline's format, produced
 * with the client library, become live ticks on /ws; records in no format are dropped and counted.
 */
const brokers = kafkaBrokers();
const topic = uniqueTopic('ingest');
const group = `${topic}-group`;
const cleanups: (() => Promise<unknown>)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  if (brokers.length > 0) await deleteTopics([topic], [group]);
});

describe.skipIf(brokers.length === 0)('INGEST_SOURCE=kafka', () => {
  it('reads stock_prices, market_ticks, stock_ticks and tickstream records (one tick or a pack) from an existing topic into live ticks; bad records are counted', async () => {
    const admin = new Admin({ clientId: 'tickstream-test', bootstrapBrokers: brokers });
    cleanups.push(() => admin.close());
    await admin.createTopics({ topics: [topic], partitions: 3, replicas: 1 });

    const server: RunningServer = await startServer({ INGEST_SOURCE: 'kafka', KAFKA_BROKERS: brokers.join(','), INGEST_KAFKA_TOPIC: topic, INGEST_KAFKA_GROUP: group, INGEST_KAFKA_FROM: 'earliest', LOG_LEVEL: 'debug' });
    cleanups.push(() => server.stop());
    const client = await TestClient.connect(`${server.ws}?symbols=AAPL,MSFT,NVDA,TSLA`);
    cleanups.push(async () => client.close());

    const now = Date.now();
    const records = [
      // stock-streaming-kafka-redis-ws: stock_prices
      { key: 'AAPL', value: JSON.stringify({ symbol: 'AAPL', price: 150.45, timestamp: new Date(now).toISOString() }) },
      // gostocks-alerts: market_ticks, a Finnhub trade, and a whole trade frame
      { key: 'MSFT', value: JSON.stringify({ s: 'MSFT', p: 410.5, t: now + 1, v: 12 }) },
      { key: 'MSFT', value: JSON.stringify({ type: 'trade', data: [{ s: 'MSFT', p: 410.75, t: now + 2, v: 3, c: ['1'] }] }) },
      // kafka-stream-sim-dashboard: stock_ticks (epoch seconds, as a Python producer writes)
      { key: 'NVDA', value: JSON.stringify({ symbol: 'NVDA', price: 900.1, timestamp: now / 1000, volume: 300, change: 1.2 }) },
      // tickstream's own format, with the producer's seq
      { key: 'TSLA', value: JSON.stringify({ symbol: 'TSLA', price: 250, size: 5, ts: now + 3, seq: 7, source: 'sim' }) },
      // Not any format: dropped and counted.
      { key: 'AAPL', value: 'not json' },
      { key: 'AAPL', value: JSON.stringify({ ticker: 'AAPL', last: 1 }) },
      // A format, with a bad value: refused by the ingestor's checks.
      { key: 'AAPL', value: JSON.stringify({ symbol: 'AAPL', price: -1, timestamp: now }) },
      { key: 'AAPL', value: JSON.stringify({ symbol: 'AAPL', price: 151, timestamp: now + 4 }) },
    ];
    const producer = new Producer({ clientId: 'reference-producer', bootstrapBrokers: brokers, serializers: stringSerializers });
    cleanups.push(() => producer.close());
    // tickstream's own log as this version writes it: several ticks of a partition in one record
    // (src/adapters/kafka/packed-records.ts), read tick by tick.
    const tick = (seq: number) => JSON.stringify({ symbol: 'TSLA', price: 250 + seq, size: 5, ts: now + 3 + seq, seq, source: 'sim' });
    // (tickstream writes packs without a key to the symbol's partition; the key puts it behind seq 7 here.)
    const pack = { key: 'TSLA', value: `["TSLA","TSLA"]\n${tick(8)}\n${tick(9)}`, headers: { 'tickstream-records': '2' } };
    await producer.send({ messages: [...records.map((r) => ({ topic, key: r.key, value: r.value })), { topic, ...pack }] });

    await client.waitForTicks(2, 'AAPL');
    await client.waitForTicks(2, 'MSFT');
    await client.waitForTicks(1, 'NVDA');
    await client.waitForTicks(3, 'TSLA');
    // Numbered per symbol where the source has no seq; tickstream's own record keeps its producer seq as the source of order.
    expect(client.ticks('AAPL').map((t) => [t.seq, t.price])).toEqual([[1, 150.45], [2, 151]]);
    expect(client.ticks('MSFT').map((t) => [t.seq, t.price, t.size])).toEqual([[1, 410.5, 12], [2, 410.75, 3]]);
    expect(client.ticks('NVDA')[0]).toMatchObject({ seq: 1, price: 900.1, size: 300, ts: Math.round(now) });
    expect(client.ticks('TSLA')[0]).toMatchObject({ price: 250, size: 5, ts: now + 3 });
    expect(client.ticks('TSLA').map((t) => t.price)).toEqual([250, 258, 259]);

    await waitFor(async () => (await metric(server, 'tickstream_ingest_rejected_total', { source: 'kafka', reason: 'MALFORMED' })) === 2, 'two malformed records counted');
    expect(await metric(server, 'tickstream_ingest_rejected_total', { source: 'kafka', reason: 'INVALID_PRICE' })).toBe(1);
    expect(server.logs.some((l) => l.msg === 'kafka record dropped' && l.reason === 'not valid JSON')).toBe(true);
    // The embedded database opens in the background on a loaded machine; ready once it has.
    await waitFor(async () => (await fetch(`${server.http}/ready`)).status === 200, 'the ingesting process to be ready', 30_000, 200);

    // Committed after forwarding: the group's offsets cover every record.
    await waitFor(async () => {
      const offsets = await admin.listConsumerGroupOffsets({ groups: [group] });
      const partitions = offsets[0]?.topics.find((t) => t.name === topic)?.partitions ?? [];
      return partitions.reduce((n, p) => n + Number(p.committedOffset), 0) === records.length + 1;
    }, 'the group to commit every record', 15_000);
  }, 120_000);
});
