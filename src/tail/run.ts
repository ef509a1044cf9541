import type { WireTick } from '../protocol/index.js';
import { TailConnection } from './connection.js';
import { tailOptions, UsageError, type TailOptions } from './options.js';
import { Board, COLOURS, PLAIN, renderTable, Screen } from './table.js';
import { onStopSignal } from '../process-signals.js';

export interface TailIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean; readonly columns?: number; readonly rows?: number; on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: NodeJS.ProcessEnv;
  /** Calls `handler` on SIGINT/SIGTERM; returns a function that stops listening. */
  onSignal(handler: () => void): () => void;
}

const processIo: TailIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  onSignal: onStopSignal,
};

const REDRAW_MS = 100;

/** `tickstream tail [SYMBOLS…] [--url] [--json] [--table]`: resolves with the exit code. */
export async function tailCommand(symbols: readonly string[], flags: { url?: string; json?: boolean; table?: boolean }, io: TailIo = processIo): Promise<number> {
  let options: TailOptions;
  try {
    options = tailOptions({ symbols, ...flags }, io.env, io.stdout.isTTY === true);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`tickstream tail: ${error.message}\n`);
    return 2;
  }
  return runTail(options, io);
}

/** The day's open per symbol from the same server's REST API, if it answers quickly; else none. */
async function dayOpens(wsUrl: string): Promise<Map<string, number>> {
  try {
    const url = new URL(wsUrl);
    url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
    url.pathname = '/api/v1/quotes';
    url.search = '';
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    if (!response.ok) return new Map();
    const body = (await response.json()) as { quotes?: { symbol: string; open: number }[] };
    return new Map((body.quotes ?? []).map((q) => [q.symbol, q.open]));
  } catch {
    return new Map();
  }
}

async function runTail(options: TailOptions, io: TailIo = processIo): Promise<number> {
  const json = options.mode === 'json';
  const opens = json ? new Map<string, number>() : await dayOpens(options.url);
  const board = new Board(opens);
  const style = io.env.NO_COLOR ? PLAIN : COLOURS;
  const screen = new Screen((text) => io.stdout.write(text));
  const reference = opens.size > 0 ? 'change vs day open' : 'change vs first seen';
  let status = 'connecting';
  let notice = '';
  let reconnects = 0;
  let arrivals: number[] = [];
  let redraw: NodeJS.Timeout | undefined;

  const rate = (): number => {
    const since = Date.now() - 1_000;
    arrivals = arrivals.filter((t) => t > since);
    return arrivals.length;
  };
  const draw = (): void => {
    redraw = undefined;
    const head = `${style.bold('tickstream tail')} ${style.dim('·')} ${options.url} ${style.dim('·')} ${status} ${style.dim('·')} ${rate()} ticks/s ${style.dim('·')} reconnects ${reconnects} ${style.dim('·')} ${reference}`;
    const lines = [head, notice ? style.dim(notice) : '', ...renderTable(board, style, Math.max(3, (io.stdout.rows || 50) - 5))];
    // A pseudo-terminal may report 0 columns: then assume a wide one.
    screen.draw(lines, io.stdout.columns || 120);
  };
  const schedule = (): void => {
    if (!json && !redraw) redraw = setTimeout(draw, REDRAW_MS);
  };
  const say = (message: string): void => {
    if (json) io.stderr.write(`tickstream tail: ${message}\n`);
    else {
      notice = message;
      schedule();
    }
  };

  return new Promise<number>((resolve) => {
    let done = false;
    const finish = (code: number, message?: string): void => {
      if (done) return;
      done = true;
      stopSignals();
      connection.stop();
      if (redraw) clearTimeout(redraw);
      if (!json) {
        if (board.rows.size > 0 || code === 0) draw();
        screen.end();
      }
      if (message) io.stderr.write(`tickstream tail: ${message}\n`);
      resolve(code);
    };
    const connection = new TailConnection(options.url, options.symbols, {
      ticks: (ticks: readonly WireTick[]) => {
        const now = Date.now();
        for (const t of ticks) {
          if (json) io.stdout.write(`${JSON.stringify(t)}\n`);
          else board.apply(t);
          arrivals.push(now);
        }
        schedule();
      },
      connected: (n) => {
        reconnects = n;
        status = 'live';
        if (n > 0) say(`reconnected (${n}); resumed from the last seq of each symbol`);
        schedule();
      },
      disconnected: (reason, delayMs) => {
        status = `reconnecting in ${(delayMs / 1000).toFixed(1)} s`;
        say(`connection lost (${reason}); reconnecting in ${(delayMs / 1000).toFixed(1)} s`);
      },
      unrecovered: (symbols) => say(`could not recover missed ticks of ${symbols.join(', ')} (history no longer reaches back): showing the latest`),
      sequenceRestarted: () => say(`the server's sequence restarted (it was restarted, or its store wiped): live again from the latest`),
      fatal: (code, message) => finish(2, `${code}: ${message}`),
    });
    const stopSignals = io.onSignal(() => finish(0));
    io.stdout.on('error', (error) => {
      // The reader went away (`tail … | head`): that is a normal end.
      finish(error.code === 'EPIPE' ? 0 : 1, error.code === 'EPIPE' ? undefined : error.message);
    });
    if (!json) {
      screen.begin();
      draw();
    }
    connection.start();
  });
}
