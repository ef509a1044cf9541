import { checkTrade, type RejectReason } from '../../domain/ingest/admission.js';
import type { Admission } from '../../domain/symbol-universe.js';
import type { Tick } from '../../domain/tick.js';
import type { Metrics } from '../../observability/metrics.js';
import type { EventLog } from '../../ports/event-log.js';
import type { SourceTrade } from '../../ports/ingest-source.js';
import type { TickSequencer } from '../../ports/sequencer.js';

export type TradeOutcome = { readonly status: 'accepted'; readonly seq: number } | { readonly status: 'duplicate' } | { readonly status: 'rejected'; readonly reason: RejectReason };

export interface IntakeDeps {
  readonly log: EventLog<Tick>;
  readonly sequencer: TickSequencer;
  readonly admit: (symbol: string) => Admission;
  readonly maxSkewMs: number;
  readonly metrics: Metrics;
  readonly now?: () => number;
}

/**
 * The one path from a trade outside to a tick on the log, shared by the ingest sources and the
 * ingest API: check, number (dropping producer duplicates), append. Counts per source.
 */
export class TickIntake {
  private readonly now: () => number;

  constructor(private readonly deps: IntakeDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * Checks and numbers the trades, then hands the numbered ticks to `append` (by default one
   * append to the log; the ingestor passes one that retries, because a numbered tick that never
   * reaches the log is a gap). Rejects only when `append` does.
   */
  async take(source: string, trades: readonly SourceTrade[], append: (ticks: readonly Tick[]) => Promise<void> = (t) => this.append(t)): Promise<TradeOutcome[]> {
    const { metrics } = this.deps;
    const now = this.now();
    const outcomes: (TradeOutcome | undefined)[] = new Array(trades.length);
    const candidates: number[] = [];
    const check = { maxSkewMs: this.deps.maxSkewMs, now, admit: this.deps.admit };
    trades.forEach((trade, i) => {
      const reason = checkTrade(trade, check);
      if (reason) {
        outcomes[i] = { status: 'rejected', reason };
        metrics.ingestRejected.inc({ source, reason });
      } else candidates.push(i);
    });
    const seqs = await this.deps.sequencer.assign(candidates.map((i) => ({ symbol: trades[i]!.symbol, source, sourceSeq: trades[i]!.sourceSeq })));
    const ticks: Tick[] = [];
    candidates.forEach((i, k) => {
      const seq = seqs[k]!;
      if (seq === 0) {
        outcomes[i] = { status: 'duplicate' };
        return;
      }
      const t = trades[i]!;
      ticks.push({ symbol: t.symbol, price: t.price, size: t.size, ts: t.ts, seq, source });
      outcomes[i] = { status: 'accepted', seq };
    });
    const duplicates = candidates.length - ticks.length;
    if (duplicates > 0) metrics.ingestDuplicates.inc({ source }, duplicates);
    if (ticks.length > 0) {
      await append(ticks);
      metrics.ingestTicks.inc({ source }, ticks.length);
    }
    return outcomes as TradeOutcome[];
  }

  append(ticks: readonly Tick[]): Promise<void> {
    return this.deps.log.append(ticks.map((t) => ({ key: t.symbol, value: t })));
  }
}
