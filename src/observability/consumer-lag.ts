import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { EventLog } from '../ports/event-log.js';
import type { Service } from '../ports/lifecycle.js';

/** How often the lag is read from the engine: a few cheap admin calls per group, well below a scrape interval. */
const CONSUMER_LAG_INTERVAL_MS = 5_000;

/** Longest a stop waits for a read in flight: an engine that does not answer must not hold up shutdown. */
const STOP_WAIT_MS = 2_000;

export interface ConsumerLagDeps {
  readonly log: Pick<EventLog<unknown>, 'consumerLag'>;
  /** The consumer groups of the roles this process runs. */
  readonly groups: readonly string[];
  readonly metrics: Pick<Metrics, 'eventLogConsumerLag' | 'eventLogLagMeasurementFailures'>;
  readonly logger: Logger;
  readonly intervalMs?: number;
}

/**
 * Reads each consumer group's lag from the log engine on a timer, into
 * `tickstream_eventlog_consumer_lag{group,partition}`. On a timer rather than at scrape time, so a
 * slow or unreachable engine never makes /metrics slow; a failed read keeps the last values and
 * counts the failure (the engine being down shows in /ready and tickstream_ready already).
 */
export class ConsumerLagMonitor implements Service {
  readonly name = 'consumer lag';
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** A failure is logged once per streak, not every interval. */
  private readonly failing = new Set<string>();

  constructor(private readonly deps: ConsumerLagDeps) {}

  async start(): Promise<void> {
    if (!this.deps.log.consumerLag || this.deps.groups.length === 0) return;
    this.running = this.measure();
    this.timer = setInterval(() => {
      this.running ??= this.measure();
    }, this.deps.intervalMs ?? CONSUMER_LAG_INTERVAL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (!this.running) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.running, new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)))]);
    clearTimeout(timer);
  }

  private async measure(): Promise<void> {
    const { log, metrics, logger } = this.deps;
    await Promise.all(
      this.deps.groups.map(async (group) => {
        try {
          const lag = await log.consumerLag!(group);
          for (const [partition, behind] of lag) metrics.eventLogConsumerLag.set({ group, partition: String(partition) }, behind);
          if (this.failing.delete(group)) logger.info({ group }, 'reading the consumer lag works again');
        } catch (error) {
          metrics.eventLogLagMeasurementFailures.inc({ group });
          if (!this.failing.has(group)) logger.warn({ err: error, group }, 'cannot read the consumer lag; keeping the last values');
          this.failing.add(group);
        }
      }),
    );
    this.running = undefined;
  }
}
