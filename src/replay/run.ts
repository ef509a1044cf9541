import { replay, type ReplayResult } from '../adapters/ingest/replay.js';
import { checkReadable, countRecords, ReplayFileError } from '../adapters/ingest/replay-file.js';
import { IngestClient, IngestRefused } from './ingest-client.js';
import { progressBar, progressText } from './progress.js';
import { onStopSignal } from '../process-signals.js';

export interface ReplayFlags {
  readonly speed?: string;
  readonly loop?: boolean;
  readonly strict?: boolean;
  readonly url?: string;
  readonly key?: string;
}

export interface ReplayIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown };
  readonly env: NodeJS.ProcessEnv;
  onSignal(handler: () => void): () => void;
}

const processIo: ReplayIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  onSignal: onStopSignal,
};

/** How often progress is shown: redrawn on a terminal, a plain line otherwise. */
const TTY_EVERY_MS = 100;
const PLAIN_EVERY_MS = 1_000;

/**
 * `tickstream replay FILE`: sends a file's ticks to a server's ingest API at the file's pace times
 * `--speed`. Exit codes: 0 done; 2 usage, missing or unreadable file, a bad line with `--strict`,
 * or the server refusing the key; 1 the server failed on the way.
 */
export async function replayCommand(file: string, flags: ReplayFlags, io: ReplayIo = processIo): Promise<number> {
  const fail = (code: number, message: string): number => {
    io.stderr.write(`tickstream replay: ${message}\n`);
    return code;
  };
  const speed = flags.speed === undefined ? 1 : flags.speed === 'max' ? 'max' : Number(flags.speed);
  if (speed !== 'max' && !(speed > 0 && speed <= 1_000_000)) return fail(2, `--speed ${flags.speed}: expected a number above 0, or max`);
  const key = flags.key ?? io.env.TICKSTREAM_INGEST_KEY;
  if (!key) return fail(2, 'an ingest key is needed: --key or TICKSTREAM_INGEST_KEY (one of the server’s INGEST_API_KEYS secrets)');
  const base = flags.url ?? io.env.TICKSTREAM_HTTP_URL ?? 'http://localhost:8080';
  try {
    await checkReadable(file);
  } catch (error) {
    return fail(2, (error as Error).message);
  }
  const total = await countRecords(file).catch(() => 0);
  const client = new IngestClient(base, key);
  const tty = io.stdout.isTTY === true;
  const abort = new AbortController();
  const offSignal = io.onSignal(() => abort.abort());
  let sent = 0;
  let accepted = 0;
  let duplicate = 0;
  let refusedByServer = 0;
  let firstRefusal: string | undefined;
  const startedAt = Date.now();
  let shownAt = 0;
  const show = (force = false): void => {
    const now = Date.now();
    if (!force && now - shownAt < (tty ? TTY_EVERY_MS : PLAIN_EVERY_MS)) return;
    shownAt = now;
    const p = { sent, total: flags.loop ? Math.max(total, sent) : total, elapsedMs: now - startedAt };
    io.stdout.write(tty ? progressBar(p) : `${progressText(p)}\n`);
  };
  const ticker = setInterval(() => show(), tty ? TTY_EVERY_MS : PLAIN_EVERY_MS);
  let result: ReplayResult;
  try {
    result = await replay(file, { speed, loop: flags.loop === true, strict: flags.strict === true, signal: abort.signal }, {
      trades: async (trades, lines) => {
        const answer = await client.post(trades);
        sent += trades.length;
        accepted += answer.accepted;
        duplicate += answer.duplicate;
        for (const r of answer.rejected) {
          refusedByServer++;
          const where = lines?.[r.index] === undefined ? `tick ${sent - trades.length + r.index + 1}` : `line ${lines[r.index]}`;
          firstRefusal ??= `${where}: ${r.code}`;
          if (tty) io.stdout.write('\r\x1b[2K');
          io.stderr.write(`${file} ${where}: refused by the server: ${r.code} ${r.message}\n`);
        }
        if (flags.strict && answer.rejected.length > 0) abort.abort();
      },
      problem: (line, message) => {
        if (tty) io.stdout.write('\r\x1b[2K');
        io.stderr.write(`${file} line ${line}: ${message}${flags.strict ? '' : '; skipped'}\n`);
      },
    });
  } catch (error) {
    if (error instanceof ReplayFileError || error instanceof IngestRefused) return fail(2, error.message);
    return fail(1, (error as Error).message);
  } finally {
    clearInterval(ticker);
    offSignal();
  }
  show(true);
  if (tty) io.stdout.write('\n');
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(2);
  io.stdout.write(`replayed ${sent} ticks in ${seconds} s: ${accepted} accepted, ${duplicate} duplicate, ${refusedByServer} refused by the server, ${result.problems} unreadable lines\n`);
  if (result.stoppedAt) return fail(2, `--strict: stopped at line ${result.stoppedAt.line}: ${result.stoppedAt.message}`);
  if (flags.strict && firstRefusal) return fail(2, `--strict: stopped at ${firstRefusal}`);
  return 0;
}
