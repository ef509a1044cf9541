import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { adminClient, deletePrefix, keysUnder, redisUrl, uniquePrefix } from '../support/redis.js';
import { startServer, type RunningServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { TestClient } from '../support/ws-client.js';

/**
 * Issue 17: one sampled tick is one trace from its append to the gateway's WebSocket send, across
 * two processes over Redis (generator + processor in one, the gateway in the other). The source
 * exports OTLP/JSON and the gateway OTLP/protobuf to the same stand-in collector, so both
 * encodings are checked to work and to join in one trace. Sampling is a ratio: ticks not sampled
 * carry no trace context in the log.
 */
const prefix = uniquePrefix('tracing');
const common = {
  REDIS_URL: redisUrl,
  REDIS_PREFIX: prefix,
  EVENT_LOG: 'redis',
  EVENT_LOG_PARTITIONS: '1',
  SYMBOLS: 'AAPL,MSFT',
  OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
  OTEL_TRACES_SAMPLER_ARG: '0.2',
  OTEL_BSP_SCHEDULE_DELAY: '100',
};

let receiver: OtlpReceiver;
let source: RunningServer;
let gateway: RunningServer;
let client: TestClient;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  gateway = await startServer({ ...common, ROLES: 'gateway', OTEL_SERVICE_NAME: 'tick-gateway', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' });
  client = await TestClient.connect(gateway.ws);
  source = await startServer({ ...common, ROLES: 'generator,processor', TICK_RATE: '40', OTEL_SERVICE_NAME: 'tick-source', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
}, 120_000);

afterAll(async () => {
  client?.close();
  await Promise.all([source?.stop('SIGTERM'), gateway?.stop('SIGTERM')]);
  await receiver?.close();
  await deletePrefix(prefix);
}, 60_000);

const only = (spans: ReceivedSpan[], name: string, service: string): ReceivedSpan => {
  const found = spans.filter((s) => s.name === name && s.service === service);
  expect(found, `${name} of ${service}`).toHaveLength(1);
  return found[0]!;
};

/** A trace holding every stage of one tick, once all its spans were exported. */
const completeTrace = (): ReceivedSpan[] | undefined => {
  for (const send of receiver.spans.filter((s) => s.name === 'ws send')) {
    const spans = receiver.trace(send.traceId);
    const names = new Set(spans.map((s) => s.name));
    if (['ticks publish', 'ticks process', 'store applyTicks', 'ws send'].every((n) => names.has(n)) && spans.some((s) => s.name.endsWith(' receive'))) return spans;
  }
  return undefined;
};

describe('tracing a tick across processes over Redis', () => {
  it('follows one sampled tick from append through processor and pub/sub to the gateway’s send', async () => {
    const spans = await waitFor(completeTrace, 'a complete tick trace at the collector', 60_000, 100);
    const append = only(spans, 'ticks publish', 'tick-source');
    const processed = only(spans, 'ticks process', 'tick-source');
    const stored = only(spans, 'store applyTicks', 'tick-source');
    const symbol = String(append.attributes['messaging.message.key']);
    const seq = append.attributes['tick.seq'];
    const published = only(spans, `ticks.${symbol} publish`, 'tick-source');
    const received = only(spans, `ticks.${symbol} receive`, 'tick-gateway');
    const sent = only(spans, 'ws send', 'tick-gateway');

    // One chain, parent by parent, from the root where the generator appended the tick.
    expect(append.parentSpanId).toBe('');
    expect(processed.parentSpanId).toBe(append.spanId);
    expect(stored.parentSpanId).toBe(processed.spanId);
    expect(published.parentSpanId).toBe(processed.spanId);
    expect(received.parentSpanId).toBe(published.spanId);
    expect(sent.parentSpanId).toBe(received.spanId);
    // The trace is that one tick's: every span naming a tick names the same one.
    for (const span of [append, processed, published, received, sent]) expect(span.attributes['tick.seq']).toBe(seq);
    expect(processed.attributes['messaging.consumer.group.name']).toBe('processor');
    expect(sent.attributes['ws.recipients']).toBe(1);
    // And the client did get that tick.
    await waitFor(() => client.ticks(symbol).some((t) => t.seq === seq), `tick ${symbol} #${String(seq)} on the socket`, 30_000);
  }, 90_000);

  it('exports over both OTLP encodings', () => {
    expect(receiver.contentTypes.some((t) => t.startsWith('application/json'))).toBe(true);
    expect(receiver.contentTypes.some((t) => t.startsWith('application/x-protobuf'))).toBe(true);
    expect(receiver.spans.some((s) => s.service === 'tick-gateway')).toBe(true);
    expect(receiver.spans.some((s) => s.service === 'tick-source')).toBe(true);
  });

  it('writes trace context only into sampled ticks', async () => {
    const redis = await adminClient();
    try {
      const readLog = async () => {
        const records: { seq: number; tp?: string }[] = [];
        for (const key of await keysUnder(redis, prefix)) {
          if ((await redis.type(key)) !== 'stream') continue;
          for (const [, fields] of (await redis.sendCommand(['XRANGE', key, '-', '+'])) as [string, string[]][]) {
            for (let i = 3; i < fields.length; i += 2) records.push(JSON.parse(fields[i]!) as { seq: number; tp?: string });
          }
        }
        return records;
      };
      const records = await waitFor(async () => {
        const found = await readLog();
        return found.length >= 60 ? found : undefined;
      }, '60 ticks in the log', 30_000, 200);
      const traced = records.filter((r) => r.tp !== undefined);
      // A ratio of 0.2: most ticks are not sampled, and they are written as without tracing.
      expect(traced.length).toBeGreaterThan(0);
      expect(traced.length).toBeLessThan(records.length);
      for (const r of traced) expect(r.tp).toMatch(/^00-[\da-f]{32}-[\da-f]{16}-01$/);
      // Each traced record's trace is one the source exported a root `ticks publish` span for.
      await waitFor(
        () => traced.every((r) => receiver.spans.some((s) => s.name === 'ticks publish' && s.traceId === r.tp!.split('-')[1])),
        'the root span of every traced record',
        30_000,
        100,
      );
    } finally {
      await redis.close();
    }
  }, 60_000);
});
