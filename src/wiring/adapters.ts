import { MemoryConnectionLimiter } from '../adapters/memory/memory-connection-limiter.js';
import type { ConnectionLimiter } from '../ports/connection-limiter.js';
import { MemoryEventLog } from '../adapters/memory/memory-event-log.js';
import { MemoryPriceStore } from '../adapters/memory/memory-price-store.js';
import { MemoryPubSub } from '../adapters/memory/memory-pubsub.js';
import { MemorySequencer } from '../adapters/memory/memory-sequencer.js';
import { RedisSequencer } from '../adapters/redis/redis-sequencer.js';
import type { TickSequencer } from '../ports/sequencer.js';
import { tickCodec } from '../adapters/codec.js';
import { KafkaEventLog } from '../adapters/kafka/kafka-event-log.js';
import { userEventCodec } from '../adapters/user-event-codec.js';
import { indicatorPointsCodec } from '../adapters/indicator-codec.js';
import type { IndicatorPoint } from '../domain/analytics/symbol-analytics.js';
import { RedisConnectionLimiter } from '../adapters/redis/redis-connection-limiter.js';
import { RedisPriceStore } from '../adapters/redis/redis-price-store.js';
import { RedisPubSub } from '../adapters/redis/redis-pubsub.js';
import { RedisStreamsEventLog } from '../adapters/redis/redis-streams-event-log.js';
import { RedisConnections } from '../adapters/redis/redis-connections.js';
import type { Config, RoleName } from '../config/schema.js';
import { ConfigError } from '../config/schema-kit.js';
import type { UserEvent } from '../domain/accounts/user-events.js';
import type { IndicatorSpec } from '../domain/analytics/catalogue.js';
import type { Tick } from '../domain/tick.js';
import type { Logger } from '../observability/logger.js';
import type { EventLog } from '../ports/event-log.js';
import type { PriceStore } from '../ports/price-store.js';
import type { PubSub } from '../ports/pubsub.js';

export interface Adapters {
  readonly eventLog: EventLog<Tick>;
  readonly store: PriceStore;
  readonly pubsub: PubSub<Tick>;
  readonly connectionLimiter: ConnectionLimiter;
  /** `user.<id>` channels (alerts, later order fills): a second pub/sub on the same engine. */
  readonly userEvents: PubSub<UserEvent>;
  /** `indicators.<SYMBOL>` channels: the analytics role publishes, gateways relay to indicator subscribers. */
  readonly indicators: PubSub<readonly IndicatorPoint[]>;
  /** Numbers ingested ticks; in Redis beside the store, so numbering survives restarts. Started only where ticks are ingested. */
  readonly sequencer: TickSequencer;
  /** The process's Redis connections when REDIS_URL is set, shared by every Redis adapter (and the auth limits). */
  readonly redis: RedisConnections | undefined;
}

export type StoreKind = 'memory' | 'redis';

/** STORE=auto means Redis when REDIS_URL is set: one variable moves the shared state out of the process. */
export function storeKind(config: Config): StoreKind {
  if (config.store !== 'auto') return config.store;
  return config.redisUrl ? 'redis' : 'memory';
}

/** The one place where configuration becomes engines. An unknown or incomplete choice is refused here. */
export function createAdapters(config: Config, logger: Logger): Adapters {
  const problems: string[] = [];
  const redisUrl = config.redisUrl;
  const needRedis = (what: string): string => {
    if (!redisUrl) problems.push(`${what} needs REDIS_URL`);
    return redisUrl ?? '';
  };
  const kind = storeKind(config);
  const log = logger.child({ component: 'redis' });
  // Not connected until an adapter that uses them starts.
  const redis = redisUrl ? new RedisConnections(redisUrl, { clientName: config.redisClientName, logger: log }) : undefined;

  let eventLog: EventLog<Tick> | undefined;
  switch (config.eventLog) {
    case 'memory':
      eventLog = new MemoryEventLog<Tick>({ partitions: config.eventLogPartitions, retention: config.eventLogRetention });
      break;
    case 'redis':
      eventLog = new RedisStreamsEventLog<Tick>({
        url: needRedis('EVENT_LOG=redis'),
        connections: redis,
        prefix: config.redisPrefix,
        stream: config.ticksTopic,
        partitions: config.eventLogPartitions,
        retention: config.eventLogRetention,
        claimIdleMs: config.streamClaimIdleMs,
        codec: tickCodec,
        clientName: config.redisClientName,
        logger: log,
      });
      break;
    case 'kafka':
      if (config.kafkaBrokers.length === 0) {
        problems.push('EVENT_LOG=kafka needs KAFKA_BROKERS');
        break;
      }
      try {
        eventLog = new KafkaEventLog<Tick>({
          brokers: config.kafkaBrokers,
          topic: config.ticksTopic,
          partitions: config.eventLogPartitions,
          replication: config.kafkaReplication,
          sessionTimeoutMs: config.kafkaSessionTimeoutMs,
          heartbeatIntervalMs: Math.min(1_000, Math.floor(config.kafkaSessionTimeoutMs / 3)),
          rebalanceTimeoutMs: Math.max(20_000, config.kafkaSessionTimeoutMs),
          groupPrefix: config.kafkaGroupPrefix,
          codec: tickCodec,
          logger: logger.child({ component: 'kafka' }),
        });
      } catch (error) {
        // A KafkaConfigError, e.g. a TICKS_TOPIC Kafka refuses.
        problems.push(error instanceof Error ? error.message : String(error));
      }
      break;
    default:
      problems.push(`EVENT_LOG=${String(config.eventLog)} is not a known engine`);
  }

  let store: PriceStore;
  let pubsub: PubSub<Tick>;
  let connectionLimiter: ConnectionLimiter;
  let userEvents: PubSub<UserEvent>;
  let indicators: PubSub<readonly IndicatorPoint[]>;
  let sequencer: TickSequencer;
  const limits = { ratePerSecond: config.wsConnectRate, burst: config.wsConnectBurst };
  if (kind === 'redis') {
    const url = needRedis('STORE=redis');
    const shared = { url, connections: redis, prefix: config.redisPrefix, clientName: config.redisClientName, logger: log };
    store = new RedisPriceStore({ ...shared, historyLimit: config.historyLimit, candleLimit: config.candleLimit, indicatorLimit: config.analyticsHistoryLimit });
    pubsub = new RedisPubSub<Tick>({ ...shared, codec: tickCodec });
    connectionLimiter = new RedisConnectionLimiter({ ...shared, ...limits });
    userEvents = new RedisPubSub<UserEvent>({ ...shared, codec: userEventCodec });
    indicators = new RedisPubSub<readonly IndicatorPoint[]>({ ...shared, codec: indicatorPointsCodec });
    sequencer = new RedisSequencer(shared);
  } else {
    store = new MemoryPriceStore({ historyLimit: config.historyLimit, candleLimit: config.candleLimit, indicatorLimit: config.analyticsHistoryLimit });
    pubsub = new MemoryPubSub<Tick>();
    connectionLimiter = new MemoryConnectionLimiter(limits);
    userEvents = new MemoryPubSub<UserEvent>();
    indicators = new MemoryPubSub<readonly IndicatorPoint[]>();
    sequencer = new MemorySequencer();
  }
  if (problems.length > 0 || !eventLog) throw new ConfigError(problems);
  return { eventLog, store, pubsub, connectionLimiter, userEvents, indicators, sequencer, redis };
}

/**
 * Role sets that cannot work on the chosen engines stop the start with the reason. In-process
 * adapters are invisible to other processes, so whatever reads them must run beside what writes.
 */
export function checkRoles(config: Config, roles: readonly RoleName[]): void {
  const has = (r: RoleName): boolean => roles.includes(r);
  const problems: string[] = [];
  if (config.eventLog === 'memory') {
    const why = 'EVENT_LOG=memory keeps the tick log inside this process';
    if (has('ingestor') && !has('processor')) problems.push(`ROLES: ingestor without processor: ${why}, so its ticks would reach no one`);
    if (has('generator') && !has('processor')) problems.push(`ROLES: generator without processor: ${why}, so its ticks would reach no one`);
    // TEST_TICK_INJECTION: the api role's test route is the producer.
    const producer = has('generator') || has('ingestor') || (has('api') && (config.testTickInjection || config.ingestApiKeys.length > 0));
    for (const reader of ['processor', 'alerts', 'orders', 'analytics'] as const) {
      if (has(reader) && !producer) problems.push(`ROLES: ${reader} without generator: ${why}, so it would read an empty log`);
    }
  }
  if (storeKind(config) === 'memory') {
    const why = 'the price store and pub/sub are in-process (set REDIS_URL to share them)';
    for (const reader of ['gateway', 'api'] as const) {
      if (has(reader) && !has('processor')) problems.push(`ROLES: ${reader} without processor: ${why}, so it would serve no prices`);
    }
    if (has('alerts') && !has('processor')) problems.push(`ROLES: alerts without processor: ${why}, so pct_move alerts would have no day open`);
    if (has('analytics') && !has('processor')) problems.push(`ROLES: analytics without processor: ${why}, so it would rebuild from no candles`);
  }
  if (has('ingestor') && config.ingestSource === 'none') problems.push('ROLES: ingestor without INGEST_SOURCE: it would have nothing to read');
  if (config.testTickInjection && process.env.NODE_ENV === 'production') {
    problems.push('TEST_TICK_INJECTION=true is refused when NODE_ENV=production');
  }
  if (problems.length > 0) throw new ConfigError(problems);
}

/** The indicators computed and served, from ANALYTICS_SMA_PERIODS and ANALYTICS_EMA_PERIODS. */
export function indicatorSpec(config: Config): IndicatorSpec {
  const periods = (list: readonly string[]): number[] => [...new Set(list.map(Number))].sort((a, b) => a - b);
  return { smaPeriods: periods(config.analyticsSmaPeriods), emaPeriods: periods(config.analyticsEmaPeriods) };
}
