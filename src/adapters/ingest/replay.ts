import { setTimeout as sleep } from 'node:timers/promises';
import type { SourceTrade } from '../../ports/ingest-source.js';
import { readReplayFile } from './replay-file.js';

export interface ReplayOptions {
  /** Original pace times this; `max` sends as fast as the receiver takes them. */
  readonly speed: number | 'max';
  readonly loop: boolean;
  /** Stop at the first line that cannot be read, instead of skipping it. */
  readonly strict: boolean;
  /** Most trades handed over at once. */
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
  readonly now?: () => number;
}

export interface ReplayHandlers {
  /** Trades with `ts` moved to the wall-clock time they are due; resolves when they were taken. */
  trades(trades: SourceTrade[], lines: number[]): Promise<void>;
  problem(line: number, message: string): void;
}

export interface ReplayResult {
  readonly trades: number;
  readonly problems: number;
  /** With `strict`: the line that stopped the replay. */
  readonly stoppedAt?: { readonly line: number; readonly message: string };
  readonly aborted: boolean;
}

/**
 * Plays a file at its original pace divided by `speed`: a trade written `d` ms after the file's
 * first one is sent `d / speed` ms after the start, stamped with that wall-clock time (a session
 * from yesterday plays as if it were happening now). Trades due together go out as one batch.
 */
export async function replay(path: string, options: ReplayOptions, handlers: ReplayHandlers): Promise<ReplayResult> {
  const now = options.now ?? Date.now;
  const batchSize = options.batchSize ?? 500;
  let trades = 0;
  let problems = 0;
  do {
    const before = trades;
    let batch: SourceTrade[] = [];
    let lines: number[] = [];
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const out = batch;
      const outLines = lines;
      batch = [];
      lines = [];
      await handlers.trades(out, outLines);
      trades += out.length;
    };
    let first: number | undefined;
    const startedAt = now();
    for await (const entry of readReplayFile(path)) {
      if (options.signal?.aborted) return { trades, problems, aborted: true };
      if ('problem' in entry) {
        problems++;
        handlers.problem(entry.line, entry.problem);
        if (options.strict) {
          await flush();
          return { trades, problems, stoppedAt: { line: entry.line, message: entry.problem }, aborted: false };
        }
        continue;
      }
      const { trade } = entry;
      first ??= trade.ts;
      let due = now();
      if (options.speed !== 'max') {
        due = startedAt + Math.max(0, trade.ts - first) / options.speed;
        const wait = due - now();
        if (wait > 0) {
          await flush();
          try {
            await sleep(wait, undefined, { signal: options.signal });
          } catch {
            return { trades, problems, aborted: true };
          }
        }
      }
      // Floor: a stamp never lies in the future of the moment the trade is sent.
      batch.push({ ...trade, ts: Math.floor(due) });
      lines.push(entry.line);
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    // A file with no readable trade would loop without end.
    if (trades === before) break;
  } while (options.loop && !options.signal?.aborted);
  return { trades, problems, aborted: options.signal?.aborted ?? false };
}
