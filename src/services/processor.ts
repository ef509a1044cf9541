import { attachLogPosition } from '../domain/log-position.js';
import type { Tick } from '../domain/tick.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Consumer, EventLog, LogRecord } from '../ports/event-log.js';
import type { Service } from '../ports/lifecycle.js';
import type { PriceStore } from '../ports/price-store.js';
import { tickChannel, type PubSub } from '../ports/pubsub.js';

export interface ProcessorDeps {
  readonly log: EventLog<Tick>;
  readonly store: PriceStore;
  readonly pubsub: PubSub<Tick>;
  readonly maxBatch: number;
  readonly group?: string;
  /**
   * Whether published ticks carry their place in the log (partition, offset), for Socket.IO's
   * `stock-tick`; true by default. It costs a WeakMap entry per tick (about a microsecond with
   * its garbage collection, measured on the bench VM) and two fields in every pub/sub message, so a
   * deployment without Socket.IO (SOCKETIO_ENABLED=false) leaves it out.
   */
  readonly logPositions?: boolean;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

/**
 * Log → store → pub/sub. Only ticks the store accepted are published, so duplicates from
 * redelivery never reach clients. A batch is acknowledged after it is stored and published: a
 * crash in between means redelivery, which the store's compare-and-set turns into a no-op, and
 * the accepted ticks that were never published are then found by gateways as a `seq` gap.
 */
export class ProcessorService implements Service {
  readonly name = 'processor';
  private consumer: Consumer | undefined;
  /** Channel name per symbol, made once rather than per tick. */
  private readonly channels = new Map<string, string>();

  constructor(private readonly deps: ProcessorDeps) {}

  async start(): Promise<void> {
    this.consumer = await this.deps.log.consume(
      { group: this.deps.group ?? 'processor', maxBatch: this.deps.maxBatch, from: 'earliest' },
      (records) => this.handle(records),
    );
    this.deps.logger.info({ group: this.deps.group ?? 'processor' }, 'processor started');
  }

  /** Exposed for tests that drive the processor without a log. */
  async handle(records: readonly LogRecord<Tick>[]): Promise<void> {
    const { metrics } = this.deps;
    const timer = metrics.processorBatchDuration.startTimer();
    try {
      await this.apply(records);
    } finally {
      timer();
    }
  }

  private async apply(records: readonly LogRecord<Tick>[]): Promise<void> {
    // Subscribers that show where a tick sits in the log (Socket.IO's `stock-tick`) get it with
    // the tick. The record is a LogPosition already (partition, offset): no object per tick.
    const positions = this.deps.logPositions !== false;
    const ticks = records.map((r) => {
      if (positions) attachLogPosition(r.value, r);
      return r.value;
    });
    const { accepted, duplicates, stale } = await this.deps.store.applyTicks(ticks);
    const { metrics } = this.deps;
    metrics.ticksProcessed.inc(ticks.length);
    if (accepted.length > 0) metrics.ticksAccepted.inc(accepted.length);
    if (duplicates > 0) metrics.ticksRejected.inc({ reason: 'duplicate' }, duplicates);
    if (stale > 0) metrics.ticksRejected.inc({ reason: 'stale' }, stale);
    if (accepted.length === 0) return;
    await this.deps.pubsub.publishMany(accepted.map((t) => ({ channel: this.channelOf(t.symbol), message: t })));
    metrics.ticksPublished.inc(accepted.length);
  }

  private channelOf(symbol: string): string {
    let channel = this.channels.get(symbol);
    if (channel === undefined) {
      channel = tickChannel(symbol);
      this.channels.set(symbol, channel);
    }
    return channel;
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
    this.consumer = undefined;
  }
}
