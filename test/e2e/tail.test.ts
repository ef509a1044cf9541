import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServer, type RunningServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
let server: RunningServer;
const children = new Set<ChildProcessWithoutNullStreams>();

beforeAll(async () => {
  server = await startServer({ SYMBOLS: 'AAPL,MSFT,TSLA', TICK_RATE: '150' });
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await server?.stop();
});

/** A running process with its output collected as it comes. */
function run(command: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  return { child, out, exited };
}

/** Complete lines only: a chunk may end in the middle of one. */
const lines = (text: string) => text.split('\n').slice(0, -1).filter((l) => l.trim() !== '');
const ESC = String.fromCharCode(27);
const stripAnsi = (text: string) => text.replace(new RegExp(`${ESC}\\[[0-9;?]*[A-Za-z]`, 'g'), '');

describe('tickstream tail', { timeout: 120_000 }, () => {
  it('--json: one tick object of the symbol per line, seq increasing by one; SIGINT ends it with exit 0', async () => {
    const tail = run(process.execPath, [CLI, 'tail', 'AAPL', '--json', '--url', server.ws]);
    await waitFor(() => lines(tail.out.stdout).length >= 30, '30 JSON lines', 45_000);
    tail.child.kill('SIGINT');
    expect(await tail.exited).toBe(0);
    const ticks = lines(tail.out.stdout).map((l) => JSON.parse(l) as { type: string; symbol: string; seq: number; price: number; ts: number; timestamp: string });
    for (const t of ticks) {
      expect(t).toMatchObject({ type: 'tick', symbol: 'AAPL' });
      expect(typeof t.price).toBe('number');
      expect(new Date(t.timestamp).getTime()).toBe(t.ts);
    }
    for (let i = 1; i < ticks.length; i++) expect(ticks[i]!.seq).toBe(ticks[i - 1]!.seq + 1);
    expect(tail.out.stderr).toBe('');
  });

  it('writes JSON lines by default when stdout is not a terminal, for every symbol when none is named', async () => {
    const tail = run(process.execPath, [CLI, 'tail'], { TICKSTREAM_URL: server.ws });
    const symbols = () => new Set(lines(tail.out.stdout).map((l) => (JSON.parse(l) as { symbol: string }).symbol));
    await waitFor(() => symbols().size === 3, 'ticks of all three symbols', 45_000).catch((error: unknown) => {
      throw new Error(`${String(error)}; saw ${[...symbols()].join(',')}; stderr: ${tail.out.stderr}`);
    });
    tail.child.kill('SIGTERM');
    expect(await tail.exited).toBe(0);
  });

  it('an unknown symbol: the server’s UNKNOWN_SYMBOL error is printed and the exit code is 2', async () => {
    const result = await runCli(['tail', 'AAPL', 'ZZZZ', '--url', server.ws]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('UNKNOWN_SYMBOL');
    expect(result.stderr).toContain('ZZZZ');
    expect(result.stdout).toBe('');
  });

  it('a bad URL: a clear message and exit code 2', async () => {
    for (const url of ['not a url', 'ftp://127.0.0.1/ws']) {
      const result = await runCli(['tail', 'AAPL', '--url', url]);
      expect(result.code, url).toBe(2);
      expect(result.stderr, url).toMatch(/invalid URL/);
    }
    // Nothing listening there: said plainly, exit 2.
    const closed = await runCli(['tail', 'AAPL', '--url', 'ws://127.0.0.1:1/ws']);
    expect(closed.code).toBe(2);
    expect(closed.stderr).toMatch(/cannot connect to ws:\/\/127\.0\.0\.1:1\/ws/);
    // Something that is not the gateway.
    const wrongPath = await runCli(['tail', 'AAPL', '--url', server.ws.replace('/ws', '/nope')]);
    expect(wrongPath.code).toBe(2);
    expect(wrongPath.stderr).toMatch(/NOT_FOUND|not a|HTTP 404/);
  });

  it('on a terminal (a pseudo-terminal through script): a table redrawn in place with arrows; Ctrl+C exits 0 and restores the cursor', async () => {
    // `script` runs the command through $SHELL; `exec` makes tail the terminal's foreground process,
    // so Ctrl+C reaches it alone (a non-interactive dash waiting on it would die of the SIGINT too).
    const command = `exec ${process.execPath} ${CLI} tail AAPL MSFT --url ${server.ws}`;
    const tail = run('script', ['-qfec', command, '/dev/null'], { COLUMNS: '120', LINES: '40', SHELL: '/bin/sh' });
    await waitFor(() => /AAPL\s+[\d.]+\s+[▲▼]/.test(stripAnsi(tail.out.stdout)) && /MSFT\s+[\d.]+\s+[▲▼]/.test(stripAnsi(tail.out.stdout)), 'rows with arrows', 45_000);
    // Ctrl+C typed into the terminal reaches the program as SIGINT.
    tail.child.stdin.write('\x03');
    expect(await tail.exited).toBe(0);
    const screen = tail.out.stdout;
    expect(stripAnsi(screen)).toMatch(/SYMBOL\s+PRICE\s+CHANGE\s+CHG%/);
    expect(screen).toMatch(new RegExp(`${ESC}\\[\\d+F`)); // cursor moved up to redraw, not scrolled
    expect(screen).toMatch(new RegExp(`${ESC}\\[3[12]m[▲▼]`)); // coloured arrows
    expect(screen).toContain(`${ESC}[?25h`); // cursor shown again at the end
    expect(stripAnsi(screen)).toMatch(/live/);
  });
});
