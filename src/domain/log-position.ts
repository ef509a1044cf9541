/**
 * Where a tick sits in the event log (partition and offset), for clients of systems that show it
 * (the kafka-stream-sim dashboard's `stock-tick` carries both). The processor learns it from the
 * record it read and attaches it before publishing; it is kept beside the tick in a WeakMap, as
 * the trace context is (observability/tracing/carrier.ts), so the domain object stays as it is and
 * nothing outlives the tick. The codec writes it out across a process boundary (Redis pub/sub).
 * A tick that never went through a processor here (a snapshot read back from Redis) has none.
 */
export interface LogPosition {
  readonly partition: number;
  /** As the engine spells it: a Kafka or memory-log offset (digits), a Redis Streams entry id. */
  readonly offset: string;
}

const positions = new WeakMap<object, LogPosition>();

export function logPositionOf(tick: object): LogPosition | undefined {
  return positions.get(tick);
}

export function attachLogPosition(tick: object, position: LogPosition): void {
  positions.set(tick, position);
}

/** Reads a position written by the codec; anything malformed is ignored. */
export function parseLogPosition(partition: unknown, offset: unknown): LogPosition | undefined {
  if (typeof partition !== 'number' || !Number.isSafeInteger(partition) || partition < 0) return undefined;
  if (typeof offset !== 'string' || offset.length === 0 || offset.length > 64) return undefined;
  return { partition, offset };
}
