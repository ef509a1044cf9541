import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { startServer, type RunningServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

function tail(args: string[]) {
  const child = spawn(process.execPath, [CLI, 'tail', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  cleanups.push(() => child.kill('SIGKILL'));
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const ticks = () =>
    out.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { symbol: string; seq: number });
  return { child, out, exited, ticks };
}

const tick = (seq: number) => JSON.stringify({ type: 'tick', symbol: 'AAPL', price: 100 + seq / 100, size: 1, seq, ts: Date.now(), timestamp: new Date().toISOString() });

describe('tickstream tail reconnects', { timeout: 150_000 }, () => {
  it('after a dropped connection it waits, reconnects and resubscribes with since = the last seq; the output has no gap', async () => {
    // A stand-in gateway that drops the first connection after five ticks and checks the resume.
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => new Promise((resolve) => wss.close(resolve)));
    await new Promise((resolve) => wss.once('listening', resolve));
    const subscribes: Record<string, unknown>[] = [];
    wss.on('connection', (ws: WebSocket, request) => {
      expect(request.url).toBe('/ws?symbols=&batch=1');
      ws.on('message', (data) => {
        const message = JSON.parse(String(data)) as { action: string; since?: Record<string, number>; id?: string };
        subscribes.push(message);
        if (subscribes.length === 1) {
          ws.send(JSON.stringify({ type: 'subscribed', symbols: ['AAPL'], id: message.id }));
          for (let seq = 1; seq <= 5; seq++) ws.send(tick(seq));
          setTimeout(() => ws.close(1001, 'GOING_AWAY'), 50);
        } else {
          const from = message.since?.AAPL ?? 0;
          ws.send(JSON.stringify({ type: 'subscribed', symbols: ['AAPL'], recovered: { AAPL: true }, id: message.id }));
          ws.send(JSON.stringify({ type: 'ticks', data: [from + 1, from + 2, from + 3].map((s) => JSON.parse(tick(s)) as unknown) }));
        }
      });
    });
    const port = (wss.address() as AddressInfo).port;
    const t = tail(['AAPL', '--json', '--url', `ws://127.0.0.1:${port}/ws`]);
    await waitFor(() => t.ticks().length >= 8, 'eight ticks over two connections', 45_000);
    expect(subscribes).toEqual([
      { action: 'subscribe', symbols: ['AAPL'], id: expect.any(String) },
      { action: 'subscribe', symbols: ['AAPL'], since: { AAPL: 5 }, id: expect.any(String) },
    ]);
    expect(t.ticks().map((x) => x.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(t.out.stderr).toMatch(/connection lost .*reconnecting in/);
    t.child.kill('SIGINT');
    expect(await t.exited).toBe(0);
  });

  it('the real server restarted on the same port: tail reconnects by itself, says the sequence restarted and streams on', async () => {
    const env = { SYMBOLS: 'AAPL,MSFT', TICK_RATE: '100' };
    const first: RunningServer = await startServer(env);
    cleanups.push(() => first.stop());
    const t = tail(['AAPL', '--json', '--url', first.ws]);
    await waitFor(() => t.ticks().length >= 40, '40 ticks from the first server', 45_000);
    await first.stop();
    const before = t.ticks().length;
    const lastSeq = t.ticks().at(-1)!.seq;
    // Slow enough that its new seqs are still below ours when tail resumes: "not recovered".
    const second = await startServer({ ...env, TICK_RATE: '4', PORT: String(first.port) });
    cleanups.push(() => second.stop());
    await waitFor(() => t.ticks().length >= before + 10, 'ticks from the restarted server', 45_000).catch((error: unknown) => {
      throw new Error(`${String(error)}; tail said: ${t.out.stderr}`);
    });
    expect(t.ticks()[before]!.seq).toBeLessThan(lastSeq);
    expect(t.out.stderr).toMatch(/connection lost/);
    expect(t.out.stderr).toMatch(/the server's sequence restarted|could not recover missed ticks of AAPL/);
    t.child.kill('SIGINT');
    expect(await t.exited).toBe(0);
  });
});
