import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as ClientModule from '../../src/client/index.js';
import { startServer, type RunningServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ SYMBOLS: 'AAPL,MSFT', TICK_RATE: '200' });
});
afterAll(async () => {
  await server?.stop();
});

describe('tickstream/client as another program uses it', () => {
  it('the README example: imported by package name from the build, over ws, streams gap-free ticks with the epoch', async () => {
    // By name through package.json "exports", as a program depending on tickstream would (a
    // variable, so typechecking a fresh clone does not need dist/).
    const specifier = 'tickstream/client';
    const { TickstreamClient } = (await import(specifier)) as typeof ClientModule;
    const seqs: number[] = [];
    const client = new TickstreamClient({
      url: server.ws,
      symbols: ['AAPL'],
      create: (url) => new WebSocket(url) as unknown as ClientModule.SocketLike,
      events: { ticks: (ticks) => seqs.push(...ticks.filter((t) => t.symbol === 'AAPL').map((t) => t.seq)) },
    });
    try {
      client.connect();
      await waitFor(() => seqs.length >= 20, '20 AAPL ticks');
      expect(seqs.every((seq, i) => i === 0 || seq === seqs[i - 1]! + 1)).toBe(true);
      expect(client.epoch).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(client.gaps).toBe(0);
    } finally {
      client.disconnect();
    }
  });
});
