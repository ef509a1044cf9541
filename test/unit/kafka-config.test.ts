import { describe, expect, it } from 'vitest';
import {
  consumerClientOptions,
  KAFKA_DEFAULTS,
  KafkaConfigError,
  memberClientId,
  minInsyncReplicas,
  parseBrokers,
  producerClientOptions,
  resolveSettings,
  type KafkaSettingsInput,
} from '../../src/adapters/kafka/config.js';

const input = (over: Partial<KafkaSettingsInput> = {}): KafkaSettingsInput => ({ brokers: 'kafka:9092', topic: 'ticks', partitions: 8, replication: 3, ...over });

describe('parseBrokers', () => {
  it('reads host:port lists, given as one string or as items, trimming and dropping duplicates', () => {
    expect(parseBrokers('kafka-1:9092, kafka-2:9093,,kafka-1:9092')).toEqual([
      { host: 'kafka-1', port: 9092 },
      { host: 'kafka-2', port: 9093 },
    ]);
    expect(parseBrokers(['a:1', 'b:2,c:3'])).toEqual([
      { host: 'a', port: 1 },
      { host: 'b', port: 2 },
      { host: 'c', port: 3 },
    ]);
  });

  it('defaults the port to 9092 and reads bracketed IPv6 addresses', () => {
    expect(parseBrokers('kafka')).toEqual([{ host: 'kafka', port: 9092 }]);
    expect(parseBrokers('[::1]:19092,[fe80::1]')).toEqual([
      { host: '::1', port: 19092 },
      { host: 'fe80::1', port: 9092 },
    ]);
  });

  it('refuses an empty list and names a malformed entry', () => {
    expect(() => parseBrokers('')).toThrow(KafkaConfigError);
    expect(() => parseBrokers(' , ')).toThrow(/no brokers/);
    expect(() => parseBrokers('kafka:0')).toThrow(/"kafka:0"/);
    expect(() => parseBrokers('kafka:99999')).toThrow(/"kafka:99999"/);
    expect(() => parseBrokers('http://kafka:9092')).toThrow(/"http:\/\/kafka:9092"/);
  });
});

describe('resolveSettings', () => {
  it('applies the defaults', () => {
    const s = resolveSettings(input());
    expect(s).toMatchObject({ topic: 'ticks', partitions: 8, replication: 3, clientId: 'tickstream', ...KAFKA_DEFAULTS });
    expect(s.brokers).toEqual([{ host: 'kafka', port: 9092 }]);
  });

  it('keeps what is given', () => {
    const s = resolveSettings(input({ clientId: 'ts', connectTimeoutMs: 300, retries: 0, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 200 }));
    expect(s).toMatchObject({ clientId: 'ts', connectTimeoutMs: 300, retries: 0, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 200 });
  });

  it('reports every problem at once, each with the value', () => {
    let error: unknown;
    try {
      resolveSettings(input({ brokers: '', topic: 'no spaces', partitions: 0, replication: 1.5, clientId: 'a b', requestTimeoutMs: -1 }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KafkaConfigError);
    const message = (error as Error).message;
    for (const part of ['no brokers', 'topic "no spaces"', 'partitions must be', 'replication must be', 'clientId "a b"', 'requestTimeoutMs must be an integer from 1']) {
      expect(message).toContain(part);
    }
  });

  it('checks the relations the group protocol needs', () => {
    expect(() => resolveSettings(input({ heartbeatIntervalMs: 10_000, sessionTimeoutMs: 10_000 }))).toThrow(/heartbeatIntervalMs \(10000\) must be below sessionTimeoutMs/);
    expect(() => resolveSettings(input({ sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 20_000 }))).toThrow(/rebalanceTimeoutMs \(20000\) must be at least sessionTimeoutMs/);
    expect(() => resolveSettings(input({ fetchMaxWaitMs: 5_000, requestTimeoutMs: 5_000 }))).toThrow(/fetchMaxWaitMs/);
  });

  it('refuses topic names Kafka refuses', () => {
    expect(() => resolveSettings(input({ topic: '..' }))).toThrow(/topic/);
    expect(() => resolveSettings(input({ topic: 'x'.repeat(250) }))).toThrow(/topic/);
    expect(resolveSettings(input({ topic: 'tick_stream.v1-a' })).topic).toBe('tick_stream.v1-a');
  });
});

describe('client options', () => {
  const settings = resolveSettings(input({ retries: 0, requestTimeoutMs: 10_000, rebalanceTimeoutMs: 20_000 }));

  it('producer: idempotent, acks from all in-sync replicas, retries that cannot become "forever"', () => {
    const p = producerClientOptions(settings);
    expect(p).toMatchObject({ idempotent: true, acks: -1, autocreateTopics: false, clientId: 'tickstream-producer' });
    // The client turns retries <= 1 of an idempotent producer into Number.MAX_SAFE_INTEGER.
    expect(p.retries).toBeGreaterThanOrEqual(2);
    expect(p.bootstrapBrokers).toEqual([{ host: 'kafka', port: 9092 }]);
  });

  it('consumer: manual commits, the group timeouts, and a request deadline that outlasts a rebalance', () => {
    const c = consumerClientOptions(settings, 'processor', 'm-1');
    expect(c).toMatchObject({
      groupId: 'processor',
      autocommit: false,
      sessionTimeout: settings.sessionTimeoutMs,
      heartbeatInterval: settings.heartbeatIntervalMs,
      rebalanceTimeout: 20_000,
      maxWaitTime: settings.fetchMaxWaitMs,
      clientId: 'tickstream-m-1',
    });
    expect(c.requestTimeout).toBeGreaterThan(c.rebalanceTimeout);
    const relaxed = consumerClientOptions(resolveSettings(input({ requestTimeoutMs: 60_000 })), 'g', 'm');
    expect(relaxed.requestTimeout).toBe(60_000);
  });

  it('member client ids carry no whitespace', () => {
    expect(memberClientId('ts', 'host 1/worker:2')).toBe('ts-host_1_worker_2');
    expect(memberClientId('ts', '')).toBe('ts-member');
  });
});

describe('minInsyncReplicas', () => {
  it('is one below the replication factor, at most a majority, at least 1', () => {
    expect([1, 2, 3, 4, 5, 7].map(minInsyncReplicas)).toEqual([1, 1, 2, 3, 3, 4]);
  });
});
