import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServer, type RunningServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { TestClient } from '../support/ws-client.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const SAMPLE = fileURLToPath(new URL('../../examples/session.csv', import.meta.url));
const KEY = 'replay-test-secret-0123';
const dir = mkdtempSync(join(tmpdir(), 'tickstream-replay-cli-'));
let server: RunningServer;
const clients: TestClient[] = [];

beforeAll(async () => {
  server = await startServer({ INGEST_API_KEYS: `replay:${KEY}` });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const replay = (args: string[]) => runCli(['replay', ...args, '--url', server.http, '--key', KEY]);

async function price(symbol: string): Promise<number | undefined> {
  const body = (await (await fetch(`${server.http}/price/${symbol}`)).json()) as { data?: { price: number } | null };
  return body.data?.price;
}

/** The last price of each symbol in the generated sample, read straight from the file. */
function lastPrices(csv: string): Map<string, number> {
  const last = new Map<string, number>();
  for (const line of csv.trim().split('\n').slice(1)) {
    const [, symbol, p] = line.split(',');
    last.set(symbol!, Number(p));
  }
  return last;
}

// Each test runs the CLI in child processes: on a shared, loaded machine that alone can take seconds.
describe('tickstream replay FILE', { timeout: 90_000 }, () => {
  it('replays the sample CSV session end to end (piped: plain progress lines, no redraw)', async () => {
    const run = await replay([SAMPLE, '--speed', 'max']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const expected = lastPrices(readFileSync(SAMPLE, 'utf8'));
    const count = readFileSync(SAMPLE, 'utf8').trim().split('\n').length - 1;
    expect(run.stdout).toContain(`replayed ${count} ticks`);
    expect(run.stdout).toContain(`${count} accepted, 0 duplicate, 0 refused by the server, 0 unreadable lines`);
    expect(run.stdout).toMatch(new RegExp(`^${count}/${count} ticks · [\\d.]+ ticks/s · ETA 00:00$`, 'm'));
    expect(run.stdout).not.toContain('\r');
    for (const [symbol, p] of expected) await waitFor(async () => (await price(symbol)) === p, `${symbol} at ${p}`);
  });

  it('replays NDJSON; bad lines are reported with their line number and skipped, or stop the replay with --strict (exit 2)', async () => {
    const now = Date.now();
    const path = file('s.ndjson', [
      `{"symbol":"NDJA","price":1.5,"ts":${now}}`,
      `{"symbol":"NDJA","price":2.5,"ts":${now + 1}}`,
      '{"symbol":"NDJA","price":',
      `{"symbol":"NDJA","price":-3,"ts":${now + 2}}`,
      `{"symbol":"NDJA","price":4.5,"ts":${now + 3}}`,
    ].join('\n'));
    const lenient = await replay([path, '--speed', 'max']);
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toContain(`${path} line 3: not valid JSON; skipped`);
    expect(lenient.stderr).toMatch(new RegExp(`${path.replace(/[.]/g, '\\.')} line 4: refused by the server: INVALID_PRICE`));
    expect(lenient.stdout).toContain('replayed 4 ticks');
    expect(lenient.stdout).toContain('3 accepted, 0 duplicate, 1 refused by the server, 1 unreadable lines');
    await waitFor(async () => (await price('NDJA')) === 4.5, 'NDJA at 4.5');

    const strictPath = file('strict.csv', 'symbol,price,ts\nSTRC,1,1767623400000\nSTRC,2,1767623400001\nSTRC,x,1767623400002\nSTRC,4,1767623400003\n');
    const strict = await replay([strictPath, '--speed', 'max', '--strict']);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain(`${strictPath} line 4: price "x" is not a number`);
    expect(strict.stderr).toContain('--strict: stopped at line 4');
    await waitFor(async () => (await price('STRC')) === 2, 'STRC at 2: the lines before the bad one were sent');
  });

  it('a missing file, a bad speed or a refused key exits 2 with the reason', async () => {
    const missing = await replay([join(dir, 'nope.csv')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`cannot read ${join(dir, 'nope.csv')}: no such file`);
    const speed = await replay([SAMPLE, '--speed', '0']);
    expect(speed.code).toBe(2);
    expect(speed.stderr).toContain('--speed 0');
    const wrongKey = await runCli(['replay', SAMPLE, '--url', server.http, '--key', 'not-the-key-000000']);
    expect(wrongKey.code).toBe(2);
    expect(wrongKey.stderr).toContain('INVALID_INGEST_KEY');
  });

  it('honours --speed in wall time: no tick before its time, the file’s spacing divided by the speed', async () => {
    // 21 ticks 100 ms apart: the file spans 2 s; at --speed 2 the replay spans 1 s of wall time.
    const gapMs = 100;
    const count = 21;
    const speed = 2;
    const base = 1767623400000;
    const path = file('paced.csv', 'ts,symbol,price\n' + Array.from({ length: count }, (_, i) => `${base + i * gapMs},PACE,${10 + i}`).join('\n') + '\n');
    const spanMs = (count - 1) * gapMs;
    // PACE joins the universe with its first tick: send one first, then watch the paced run live.
    await replay([file('seed.csv', `ts,symbol,price\n${base},PACE,1\n`), '--speed', 'max']);
    const client = await TestClient.connect(`${server.ws}?symbols=PACE`);
    clients.push(client);
    await client.waitForTicks(1, 'PACE');
    const arrivals: { ts: number; at: number }[] = [];
    client.ws.on('message', (data) => arrivals.push({ ts: (JSON.parse(String(data)) as { ts: number }).ts, at: Date.now() }));
    const spawnedAt = Date.now();
    const run = await replay([path, '--speed', String(speed)]);
    expect(run.code).toBe(0);
    await client.waitForTicks(1 + count, 'PACE');
    expect(arrivals).toHaveLength(count);
    // A tick is stamped with the wall-clock time it was due: none arrives before it (same clock),
    // and the stamps are the file's spacing divided by the speed.
    for (const a of arrivals) expect(a.at).toBeGreaterThanOrEqual(a.ts);
    expect(arrivals.at(-1)!.ts - arrivals[0]!.ts).toBe(spanMs / speed);
    expect(arrivals[1]!.ts - arrivals[0]!.ts).toBe(gapMs / speed);
    // So the whole run cannot have taken less than the file's span divided by the speed.
    expect(arrivals.at(-1)!.at - spawnedAt).toBeGreaterThanOrEqual(spanMs / speed);
  });

  it('on a terminal (a pseudo-terminal through script): a bar redrawn in place with ticks/s and ETA', async () => {
    const command = `exec ${process.execPath} ${CLI} replay ${SAMPLE} --speed 400 --url ${server.http} --key ${KEY}`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], { env: { ...process.env, COLUMNS: '120', SHELL: '/bin/sh' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(out).toContain('\r\x1b[2K[');
    expect(out).toMatch(/\] +\d+% \d+\/\d+ ticks · [\d.]+ ticks\/s · ETA \d\d:\d\d/);
    expect(out).toMatch(/100% (\d+)\/\1 ticks/);
    expect(out).toContain('replayed ');
  });
});
