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

  it('follows indicator streams: snapshot then updates, refused streams dropped, fresh snapshots after a reconnect', async () => {
    const specifier = 'tickstream/client';
    const { TickstreamClient } = (await import(specifier)) as typeof ClientModule;
    const acks: ClientModule.IndicatorSelection[] = [];
    const snapshots: ClientModule.IndicatorSnapshotMessage[] = [];
    const updates: ClientModule.IndicatorUpdateMessage[] = [];
    const rejected: { indicators: ClientModule.IndicatorSelection; code: string }[] = [];
    const client = new TickstreamClient({
      url: server.ws,
      symbols: [],
      indicators: { aapl: ['1s:vwap'] },
      indicatorSnapshotLimit: 5,
      create: (url) => new WebSocket(url) as unknown as ClientModule.SocketLike,
      events: {
        indicatorsSubscribed: (indicators) => acks.push(indicators),
        indicatorSnapshot: (snapshot) => snapshots.push(snapshot),
        indicator: (update) => updates.push(update),
        indicatorsRejected: (indicators, code) => rejected.push({ indicators, code }),
      },
    });
    try {
      client.connect();
      await waitFor(() => snapshots.length === 1 && updates.length >= 3, 'a snapshot and three updates', 20_000);
      expect(acks[0]).toEqual({ AAPL: ['1s:vwap'] });
      expect(snapshots[0]).toMatchObject({ symbol: 'AAPL', interval: '1s' });
      expect(snapshots[0]!.indicators.vwap!.length).toBeLessThanOrEqual(5);
      expect(updates.every((u) => u.symbol === 'AAPL' && u.interval === '1s' && typeof u.values.vwap === 'number')).toBe(true);

      client.subscribeIndicators({ AAPL: ['1m:sma:7'], MSFT: ['1m:vwap'] });
      await waitFor(() => rejected.length === 1, 'the refusal');
      expect(rejected[0]).toEqual({ indicators: { AAPL: ['1m:sma:7'], MSFT: ['1m:vwap'] }, code: 'UNKNOWN_INDICATOR' });
      expect(client.indicators).toEqual({ AAPL: ['1s:vwap'] });

      client.disconnect();
      client.connect();
      await waitFor(() => snapshots.length === 2, 'a fresh snapshot on the new connection', 20_000);
      client.unsubscribeIndicators({ AAPL: ['1s:vwap'] });
      await waitFor(() => acks.at(-1) !== undefined && Object.keys(acks.at(-1)!).length === 0, 'the unsubscribe acknowledged');
      expect(client.indicators).toEqual({});
    } finally {
      client.disconnect();
    }
  });
});
