import { backoffDelay, type BackoffPolicy } from '../../domain/backoff.js';
import type { Tick } from '../../domain/tick.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import type { IngestSink, IngestSource, SourceStatus } from '../../ports/ingest-source.js';
import type { Service } from '../../ports/lifecycle.js';
import type { PriceStore } from '../../ports/price-store.js';
import type { TickSequencer } from '../../ports/sequencer.js';
import type { TickIntake } from './intake.js';

export interface IngestorDeps {
  readonly sources: readonly IngestSource[];
  readonly intake: TickIntake;
  readonly sequencer: TickSequencer;
  /** Ticks already there: the sequencer continues above them, the universe learns their symbols. */
  readonly store: PriceStore;
  readonly learnSymbols: (symbols: string[]) => void;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

const APPEND_RETRY: BackoffPolicy = { initialMs: 100, maxMs: 5_000, factor: 2, jitter: 0.5 };

/**
 * The `ingestor` role: runs the configured sources and puts what they read on the tick log
 * through the shared intake (checks, numbering, append). A numbered batch that fails to append is
 * retried in order until it is on the log (the source waits meanwhile: backpressure), so the
 * numbering has no holes; only a shutdown gives up on it, and says so.
 */
export class IngestorService implements Service {
  readonly name = 'ingestor';
  private stopping = false;
  private readonly started: IngestSource[] = [];

  constructor(private readonly deps: IngestorDeps) {}

  async start(): Promise<void> {
    const latest = await this.deps.store.latestAll();
    await this.deps.sequencer.seed(new Map(latest.map((t) => [t.symbol, t.seq])));
    this.deps.learnSymbols(latest.map((t) => t.symbol));
    for (const source of this.deps.sources) {
      await source.start(this.sink(source));
      this.started.push(source);
    }
    for (const source of this.deps.sources) this.deps.metrics.ingestSourceStates.set(source.name, () => source.status().state === 'up');
    this.deps.logger.info({ sources: this.deps.sources.map((s) => s.name) }, 'ingestor started');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.started.map((s) => s.stop()));
  }

  /** Each source's state, for `/ready`. */
  statuses(): Map<string, SourceStatus> {
    return new Map(this.deps.sources.map((s) => [s.name, s.status()]));
  }

  private sink(source: IngestSource): IngestSink {
    const { metrics, intake } = this.deps;
    const labels = { source: source.name };
    const log = this.deps.logger.child({ source: source.name });
    return {
      trades: async (trades) => {
        try {
          await intake.take(source.name, trades, (ticks) => this.appendUntilDone(ticks, log));
        } catch (error) {
          // Only the sequencer can fail here (its engine is down): nothing was numbered.
          log.error({ err: error, trades: trades.length }, 'numbering ingested trades failed; they are lost');
          metrics.ingestRejected.inc({ ...labels, reason: 'UNAVAILABLE' }, trades.length);
        }
      },
      message: (count = 1) => {
        metrics.ingestMessages.inc(labels, count);
        metrics.ingestLastMessageAt.set(source.name, Date.now());
      },
      reconnected: () => metrics.ingestReconnects.inc(labels),
      // A repeat the source recognised itself is a duplicate, like a producer seq already taken.
      rejected: (reason, count = 1) => (reason === 'DUPLICATE' ? metrics.ingestDuplicates.inc(labels, count) : metrics.ingestRejected.inc({ ...labels, reason }, count)),
    };
  }

  private async appendUntilDone(ticks: readonly Tick[], log: Logger): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.deps.intake.append(ticks);
        return;
      } catch (error) {
        if (this.stopping) {
          log.error({ err: error, ticks: ticks.length }, 'shutting down while the tick log refuses appends: numbered ticks are lost (clients will see a gap)');
          throw error;
        }
        const delay = backoffDelay(attempt, APPEND_RETRY);
        log.warn({ err: error, ticks: ticks.length, attempt, retryInMs: delay }, 'appending ingested ticks failed; retrying in order');
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}
