/**
 * Pure mapping from KafkaEventLog options to @platformatic/kafka client options: defaults, checks
 * with clear messages, and the timeout relations the group protocol needs. No I/O here.
 */

export interface Broker {
  readonly host: string;
  readonly port: number;
}

/** Every tunable of the adapter, resolved (defaults applied, relations checked). */
export interface KafkaSettings {
  readonly brokers: readonly Broker[];
  readonly topic: string;
  readonly partitions: number;
  readonly replication: number;
  readonly clientId: string;
  /** TCP connect (and SASL/TLS handshake) deadline per broker connection. */
  readonly connectTimeoutMs: number;
  /** Deadline of one request on an established connection. */
  readonly requestTimeoutMs: number;
  /** Attempts after the first for retriable failures (network, leader moves). */
  readonly retries: number;
  readonly retryDelayMs: number;
  /** A member that sends no heartbeat for this long is removed from its group (broker bounds: 6 s–30 min by default). */
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** How long the coordinator waits for every member to rejoin (and finish its batch) during a rebalance. */
  readonly rebalanceTimeoutMs: number;
  /** Longest wait of an empty fetch (long poll) before the broker answers. */
  readonly fetchMaxWaitMs: number;
  readonly fetchMaxBytes: number;
  readonly partitionMaxBytes: number;
  /** First delay before a failed batch is delivered again; doubles up to 5 s. */
  readonly retryBackoffMs: number;
  readonly pingTimeoutMs: number;
  /** Longest wait for leaving a group or flushing appends when closing. */
  readonly closeTimeoutMs: number;
  /** Longest wait for a created topic to have a leader on every partition. */
  readonly topicReadyTimeoutMs: number;
  /** Records in one produce request at most; appends made meanwhile are coalesced up to this. */
  readonly maxRecordsPerSend: number;
}

export type KafkaTuning = Partial<Omit<KafkaSettings, 'brokers' | 'topic' | 'partitions' | 'replication' | 'clientId'>>;

export const KAFKA_DEFAULTS: Required<KafkaTuning> = {
  connectTimeoutMs: 5_000,
  requestTimeoutMs: 30_000,
  retries: 3,
  retryDelayMs: 250,
  sessionTimeoutMs: 10_000,
  heartbeatIntervalMs: 1_000,
  rebalanceTimeoutMs: 20_000,
  fetchMaxWaitMs: 500,
  fetchMaxBytes: 10 * 1024 * 1024,
  partitionMaxBytes: 1024 * 1024,
  retryBackoffMs: 100,
  pingTimeoutMs: 2_000,
  closeTimeoutMs: 5_000,
  topicReadyTimeoutMs: 15_000,
  maxRecordsPerSend: 5_000,
};

/** Kafka's legal topic names: up to 249 of `[a-zA-Z0-9._-]`, not `.` or `..`. */
const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

export class KafkaConfigError extends Error {
  constructor(problems: readonly string[]) {
    super(`invalid Kafka event log options: ${problems.join('; ')}`);
    this.name = 'KafkaConfigError';
  }
}

/**
 * Parses bootstrap brokers: `host:port`, `host` (port 9092) or `[v6addr]:port`, given as a list or
 * one comma-separated string. Throws on an empty list or a malformed entry, naming it.
 */
export function parseBrokers(input: string | readonly string[]): Broker[] {
  const items = (typeof input === 'string' ? input.split(',') : input.flatMap((b) => b.split(','))).map((b) => b.trim()).filter((b) => b.length > 0);
  if (items.length === 0) throw new KafkaConfigError(['no brokers given (KAFKA_BROKERS is a comma-separated list of host:port)']);
  const seen = new Set<string>();
  const brokers: Broker[] = [];
  for (const item of items) {
    const m = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(item) ?? /^([\w.-]+)(?::(\d+))?$/.exec(item);
    const host = m?.[1];
    const port = m?.[2] === undefined ? 9092 : Number(m[2]);
    if (host === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new KafkaConfigError([`broker "${item}" is not host:port (port 1-65535)`]);
    }
    const id = `${host}:${port}`;
    if (seen.has(id)) continue;
    seen.add(id);
    brokers.push({ host, port });
  }
  return brokers;
}

export interface KafkaSettingsInput extends KafkaTuning {
  readonly brokers: string | readonly string[];
  readonly topic: string;
  readonly partitions: number;
  readonly replication: number;
  readonly clientId?: string;
}

/** Applies defaults and checks every value and the relations between them; all problems at once. */
export function resolveSettings(input: KafkaSettingsInput): KafkaSettings {
  const problems: string[] = [];
  let brokers: Broker[] = [];
  try {
    brokers = parseBrokers(input.brokers);
  } catch (error) {
    problems.push(error instanceof KafkaConfigError ? error.message.replace(/^invalid Kafka event log options: /, '') : String(error));
  }
  if (!TOPIC.test(input.topic) || input.topic === '.' || input.topic === '..') {
    problems.push(`topic "${input.topic}" is not a legal Kafka topic name (1-249 of a-z A-Z 0-9 . _ -)`);
  }
  const clientId = input.clientId ?? 'tickstream';
  if (!/^\S+$/.test(clientId)) problems.push(`clientId "${clientId}" must not be empty or contain spaces`);
  const positiveInt = (name: string, value: number, max = 2 ** 31 - 1): void => {
    if (!Number.isInteger(value) || value < 1 || value > max) problems.push(`${name} must be an integer from 1 to ${max} (got ${value})`);
  };
  positiveInt('partitions', input.partitions, 1_000_000);
  positiveInt('replication', input.replication, 32_767);

  const tuning = { ...KAFKA_DEFAULTS } as Record<keyof typeof KAFKA_DEFAULTS, number>;
  for (const key of Object.keys(KAFKA_DEFAULTS) as (keyof typeof KAFKA_DEFAULTS)[]) {
    const value = input[key];
    if (value === undefined) continue;
    if (key === 'retries') {
      if (!Number.isInteger(value) || value < 0 || value > 1_000) problems.push(`retries must be an integer from 0 to 1000 (got ${value})`);
    } else {
      positiveInt(key, value);
    }
    tuning[key] = value;
  }
  if (tuning.heartbeatIntervalMs >= tuning.sessionTimeoutMs) {
    problems.push(`heartbeatIntervalMs (${tuning.heartbeatIntervalMs}) must be below sessionTimeoutMs (${tuning.sessionTimeoutMs})`);
  }
  if (tuning.rebalanceTimeoutMs < tuning.sessionTimeoutMs) {
    problems.push(`rebalanceTimeoutMs (${tuning.rebalanceTimeoutMs}) must be at least sessionTimeoutMs (${tuning.sessionTimeoutMs})`);
  }
  if (tuning.fetchMaxWaitMs >= tuning.requestTimeoutMs) {
    problems.push(`fetchMaxWaitMs (${tuning.fetchMaxWaitMs}) must be below requestTimeoutMs (${tuning.requestTimeoutMs}), or every idle fetch times out`);
  }
  if (problems.length > 0) throw new KafkaConfigError(problems);
  return { brokers, topic: input.topic, partitions: input.partitions, replication: input.replication, clientId, ...tuning };
}

/** Options every client (admin, producer, consumer) shares. */
export function baseClientOptions(s: KafkaSettings, clientId: string) {
  return {
    clientId,
    bootstrapBrokers: s.brokers.map((b) => ({ host: b.host, port: b.port })),
    connectTimeout: s.connectTimeoutMs,
    requestTimeout: s.requestTimeoutMs,
    // `timeout` is the broker-side deadline of produce acknowledgements and similar waits.
    timeout: s.requestTimeoutMs,
    retries: s.retries,
    retryDelay: s.retryDelayMs,
    autocreateTopics: false,
  };
}

/**
 * Producer: idempotent (the broker drops retried duplicates and keeps per-partition order across
 * retries), acks from all in-sync replicas. The client forces `maxInflights = 1` for idempotence,
 * and turns `retries <= 1` into "retry forever": at least 2 is set so a dead cluster fails an
 * append instead of hanging it.
 */
export function producerClientOptions(s: KafkaSettings) {
  return {
    ...baseClientOptions(s, `${s.clientId}-producer`),
    retries: Math.max(2, s.retries),
    idempotent: true,
    acks: -1,
  };
}

/**
 * Consumer of one group member: manual commits only. A JoinGroup request waits at the coordinator
 * up to the rebalance timeout, so the request deadline of this client must outlast it (the Java
 * client does the same), whatever `requestTimeoutMs` says for other requests.
 */
export function consumerClientOptions(s: KafkaSettings, group: string, member: string) {
  const base = baseClientOptions(s, memberClientId(s.clientId, member));
  return {
    ...base,
    requestTimeout: Math.max(s.requestTimeoutMs, s.rebalanceTimeoutMs + 5_000),
    groupId: group,
    autocommit: false,
    sessionTimeout: s.sessionTimeoutMs,
    heartbeatInterval: s.heartbeatIntervalMs,
    rebalanceTimeout: s.rebalanceTimeoutMs,
    maxWaitTime: s.fetchMaxWaitMs,
    maxBytes: s.fetchMaxBytes,
    maxBytesPerPartition: s.partitionMaxBytes,
    minBytes: 1,
  };
}

/** Client id that shows the member in `kafka-consumer-groups --describe`; whitespace is not allowed. */
export function memberClientId(clientId: string, member: string): string {
  const safe = member.replace(/[^\w.-]+/g, '_').slice(0, 100);
  return `${clientId}-${safe || 'member'}`;
}

/**
 * `min.insync.replicas` for a topic tickstream creates: acks=all is only as strong as this. One
 * below the replication factor and never more than a majority, so one broker may be down without
 * stopping appends: 1→1, 2→1, 3→2, 4→3, 5→3.
 */
export function minInsyncReplicas(replication: number): number {
  return Math.max(1, Math.min(replication - 1, Math.floor(replication / 2) + 1));
}
