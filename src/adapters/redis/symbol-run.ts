import { bucketStart, CANDLE_INTERVAL_NAMES, CANDLE_INTERVALS, mergeInto, newCandle, type Candle } from '../../domain/candles.js';
import { addToDailyStats, type DailyStats } from '../../domain/daily-stats.js';
import type { Tick } from '../../domain/tick.js';
import { encodeCandle, encodeStats, encodeTick } from './price-store-encoding.js';

/** A candle as stored: the member string is what a later write must replace. */
export interface StoredCandle {
  readonly candle: Candle;
  readonly member: string;
}

/**
 * What a writer knows of one symbol in Redis: enough to fold more ticks in without reading it
 * again. Valid while the stored latest `seq` still equals `seq` (WRITE_SYMBOL_RUN checks that).
 */
export interface SymbolState {
  /** Latest accepted seq; undefined when the symbol has nothing stored. */
  readonly seq: number | undefined;
  readonly stats: DailyStats | undefined;
  /** The newest candle of each CANDLE_INTERVAL_NAMES series. */
  readonly newest: readonly (StoredCandle | undefined)[];
}

/** Older candles a run reaches into (source timestamps going backwards), by series then bucket start. */
export type OlderCandles = readonly ReadonlyMap<number, StoredCandle>[];

const INTERVALS = CANDLE_INTERVAL_NAMES.map((name) => CANDLE_INTERVALS[name]);

/** 1 accepted, 0 duplicate (equal seq), -1 stale (lower seq): the store's reply per tick. */
export type TickOutcome = 1 | 0 | -1;

function outcomes(state: SymbolState, run: readonly Tick[]): TickOutcome[] {
  let seq = state.seq;
  return run.map((t) => {
    if (seq !== undefined && t.seq === seq) return 0;
    if (seq !== undefined && t.seq < seq) return -1;
    seq = t.seq;
    return 1;
  });
}

/** The buckets older than each series' newest candle that accepted ticks of `run` fall into. */
export function olderBuckets(state: SymbolState, run: readonly Tick[]): Set<number>[] {
  const wanted = INTERVALS.map(() => new Set<number>());
  const accepted = outcomes(state, run);
  run.forEach((t, i) => {
    if (accepted[i] !== 1) return;
    INTERVALS.forEach((interval, s) => {
      const newest = state.newest[s]?.candle.time;
      // `newest` is a bucket start, so a tick lands before it exactly when its ts does.
      if (newest !== undefined && t.ts < newest) wanted[s]!.add(bucketStart(t.ts, interval));
    });
  });
  return wanted;
}

export interface PlannedRun {
  readonly outcomes: TickOutcome[];
  /** ARGV of WRITE_SYMBOL_RUN after the expected seq and the symbol. */
  readonly args: string[];
  /** The state once the write succeeded. */
  readonly next: SymbolState;
}

/**
 * Folds one symbol's ticks into its state with the domain's functions, as MemoryPriceStore does,
 * and lays out the write. Only the candles the run touched are written. Candles are trimmed to the
 * limit once, by the write: that leaves the same series as trimming after every tick, because a
 * tick whose bucket per-tick trimming would drop (older than every kept candle of a full series)
 * has at least `candleLimit` newer buckets, so the final trim drops it too.
 */
export function planRun(state: SymbolState, run: readonly Tick[], older: OlderCandles, limits: { historyLimit: number; candleLimit: number; ttl: string }): PlannedRun {
  const result = outcomes(state, run);
  const history: string[] = [];
  let latest: Tick | undefined;
  let stats = state.stats && { ...state.stats };
  // Per series: touched candles by bucket start, with the member each replaces ('' for new ones).
  const touched = INTERVALS.map(() => new Map<number, { candle: Candle; replaces: string }>());
  const grew = INTERVALS.map(() => false);
  const newest = [...state.newest];

  for (let i = 0; i < run.length; i++) {
    const t = run[i]!;
    if (result[i] !== 1) continue;
    latest = t;
    history.push(String(t.seq), encodeTick(t));
    stats = addToDailyStats(stats, t);
    for (let s = 0; s < INTERVALS.length; s++) {
      const time = bucketStart(t.ts, INTERVALS[s]!);
      const series = touched[s]!;
      const entry = series.get(time);
      if (entry !== undefined) {
        mergeInto(entry.candle, t);
        continue;
      }
      const stored = newest[s]?.candle.time === time ? newest[s] : older[s]?.get(time);
      if (stored === undefined) {
        series.set(time, { candle: newCandle(time, t), replaces: '' });
        grew[s] = true;
      } else {
        const candle = { ...stored.candle };
        mergeInto(candle, t);
        series.set(time, { candle, replaces: stored.member });
      }
    }
  }

  // Nothing accepted: the write only checks that the state the outcomes came from is current.
  if (latest === undefined) return { outcomes: result, args: [''], next: state };
  // The newest history entry is the latest tick's JSON.
  const args = [history[history.length - 1]!, limits.ttl, String(limits.historyLimit), String(limits.candleLimit), String(history.length / 2), ...history];
  touched.forEach((series, s) => {
    args.push(grew[s] ? '1' : '0', String(series.size));
    for (const [time, { candle, replaces }] of series) {
      const member = encodeCandle(candle);
      args.push(replaces, String(time), member);
      if (newest[s] === undefined || time >= newest[s].candle.time) newest[s] = { candle, member };
    }
  });
  if (stats) args.push(...encodeStats(stats));
  return { outcomes: result, args, next: { seq: latest.seq, stats, newest } };
}
