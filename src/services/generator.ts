import type { Market } from '../domain/price-model.js';
import type { Tick } from '../domain/tick.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { EventLog } from '../ports/event-log.js';
import type { Service } from '../ports/lifecycle.js';
import type { PriceStore } from '../ports/price-store.js';

export interface GeneratorDeps {
  readonly market: Market;
  readonly log: EventLog<Tick>;
  /** Where the latest ticks are, so a restarted generator continues each symbol's `seq`. */
  readonly store?: PriceStore;
  readonly ticksPerSecond: number;
  /** Stop after this many ticks; 0 never stops. */
  readonly maxTicks?: number;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly now?: () => number;
}

/** Most ticks made in one timer turn: after a stall the generator catches up by at most a second. */
const MAX_CATCH_UP_SECONDS = 1;

/**
 * The simulated market. Ticks are produced open-loop at a fixed average rate: each timer turn
 * makes as many as are due since start, so a late timer does not lower the rate.
 */
export class GeneratorService implements Service {
  readonly name = 'generator';
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private startedAt = 0;
  private produced = 0;
  /** Ticks actually made (produced counts those due, including skipped ones). */
  private appended = 0;
  private readonly now: () => number;

  constructor(private readonly deps: GeneratorDeps) {
    this.now = deps.now ?? Date.now;
  }

  async start(): Promise<void> {
    if (this.deps.store) {
      for (const t of await this.deps.store.latestAll()) this.deps.market.resume(t.symbol, t.seq, t.price);
    }
    this.startedAt = this.now();
    this.produced = 0;
    const intervalMs = Math.max(1, Math.min(100, 1000 / this.deps.ticksPerSecond));
    this.timer = setInterval(() => this.turn(), intervalMs);
    this.deps.logger.info({ ticksPerSecond: this.deps.ticksPerSecond, symbols: this.deps.market.symbols.length }, 'generator started');
  }

  private turn(): void {
    if (this.inFlight) return; // the log is slower than the rate: let it catch up
    const now = this.now();
    const due = Math.floor(((now - this.startedAt) / 1000) * this.deps.ticksPerSecond) - this.produced;
    if (due <= 0) return;
    const max = this.deps.maxTicks ?? 0;
    const left = max > 0 ? max - this.appended : Infinity;
    const count = Math.min(due, Math.ceil(this.deps.ticksPerSecond * MAX_CATCH_UP_SECONDS), left);
    // What could not be made in time is skipped, not made later in a burst.
    this.produced += due;
    if (count <= 0) return;
    this.appended += count;
    const records = new Array<{ key: string; value: Tick }>(count);
    for (let i = 0; i < count; i++) {
      const tick = this.deps.market.next(now);
      records[i] = { key: tick.symbol, value: tick };
    }
    this.inFlight = this.deps.log
      .append(records)
      .then(
        () => this.deps.metrics.ticksGenerated.inc(count),
        (error: unknown) => this.deps.logger.error({ err: error, count }, 'appending ticks failed; they are lost'),
      )
      .finally(() => {
        this.inFlight = undefined;
        if (max > 0 && this.appended >= max) this.finish();
      });
  }

  private finish(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.deps.logger.info({ ticks: this.appended }, 'generator finished');
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }
}
