import { describe, expect, it } from 'vitest';
import { TickstreamClient, type SocketLike, type TickstreamClientEvents, type Timers } from '../../src/client/index.js';
import type { TickData } from '../../src/protocol/index.js';

type Tick = TickData;

/** A socket the test drives by hand. */
class FakeSocket implements SocketLike {
  onopen: ((event: unknown) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  readonly sent: Record<string, unknown>[] = [];
  closedWith: number | undefined;
  constructor(readonly url: string) {}
  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close(code = 1000): void {
    this.closedWith = code;
  }
  open(): void {
    this.onopen?.({});
  }
  receive(message: unknown): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  drop(code = 1006, reason = ''): void {
    this.onclose?.({ code, reason });
  }
}

/** Timers the test advances by hand. */
class FakeTimers implements Timers {
  now = 0;
  private next = 1;
  readonly pending = new Map<number, { at: number; fn: () => void }>();
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, { at: this.now + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  /** Delays of the timers waiting now. */
  delays(): number[] {
    return [...this.pending.values()].map((t) => t.at - this.now);
  }
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
    }
    this.now = until;
  }
}

const tick = (symbol: string, seq: number, price = 100, epoch?: string) => ({ type: 'tick', symbol, price, size: 10, seq, ts: 1_000 + seq, ...(epoch ? { epoch } : {}) });

function setup(options: { symbols?: string[]; token?: string; random?: number; pingEveryMs?: number } = {}) {
  const sockets: FakeSocket[] = [];
  const timers = new FakeTimers();
  const log: string[] = [];
  const received: Tick[] = [];
  const events: TickstreamClientEvents = {
    ticks: (ticks) => received.push(...ticks),
    status: (status, detail) => log.push(`status ${status}${detail.delayMs !== undefined ? ` in ${detail.delayMs}` : ''}`),
    recovery: (symbol, ok) => log.push(`recovery ${symbol} ${ok}`),
    epochChanged: (previous, epoch) => log.push(`epoch ${previous}→${epoch}`),
    tokenRejected: () => log.push('token rejected'),
    terminated: (code, reason) => log.push(`terminated ${code} ${reason}`),
    rejected: (symbols, code) => log.push(`rejected ${symbols.join(',')} ${code}`),
    alert: (alert, price) => log.push(`alert ${alert.symbol} ${price}`),
    authenticated: (user) => log.push(`authenticated ${user.username}`),
  };
  const socket = new TickstreamClient({
    url: 'ws://example.test/ws',
    symbols: options.symbols ?? ['AAPL', 'MSFT'],
    create: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    events,
    token: options.token,
    timers,
    now: () => timers.now,
    random: () => options.random ?? 0.5,
    pingEveryMs: options.pingEveryMs ?? 0,
  });
  const last = (): FakeSocket => sockets[sockets.length - 1]!;
  return { socket, sockets, timers, log, received, last };
}

describe('TickstreamClient', () => {
  it('connects with no URL subscription and batches on, then subscribes to what it wants (no since on a first connection)', () => {
    const { socket, last } = setup();
    socket.connect();
    expect(last().url).toBe('ws://example.test/ws?symbols=&batch=1');
    last().open();
    expect(last().sent).toEqual([{ action: 'subscribe', symbols: ['AAPL', 'MSFT'], id: 'sub-1' }]);
    expect(socket.status).toBe('open');
  });

  it('takes single and batched tick frames and remembers the last seq per symbol', () => {
    const { socket, last, received } = setup();
    socket.connect();
    last().open();
    last().receive(tick('AAPL', 5));
    last().receive({ type: 'ticks', data: [tick('MSFT', 9), tick('AAPL', 6)] });
    expect(received.map((t) => `${t.symbol}${t.seq}`)).toEqual(['AAPL5', 'MSFT9', 'AAPL6']);
    expect(socket.positions).toEqual({ AAPL: 6, MSFT: 9 });
    expect(socket.ticksReceived).toBe(3);
  });

  it('after a drop it waits with backoff and jitter, then resumes every symbol with since = last seq', () => {
    const { socket, sockets, last, timers, log } = setup({ random: 0.5 });
    socket.connect();
    last().open();
    last().receive(tick('AAPL', 41));
    last().receive(tick('MSFT', 7));
    last().drop(1001, 'GOING_AWAY');
    // attempt 0: 500 ms × (1 − 0.5 × 0.5) = 375 ms
    expect(timers.delays()).toEqual([375]);
    expect(log).toContain('status reconnecting in 375');
    timers.advance(374);
    expect(sockets).toHaveLength(1);
    timers.advance(1);
    expect(sockets).toHaveLength(2);
    last().open();
    expect(last().sent).toEqual([{ action: 'subscribe', symbols: ['AAPL', 'MSFT'], since: { AAPL: 41, MSFT: 7 }, id: 'sub-2' }]);
    expect(socket.reconnects).toBe(1);
  });

  it('the backoff doubles while connecting fails, up to the cap, and starts afresh once data flows', () => {
    const { socket, last, timers } = setup({ random: 0 });
    socket.connect();
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      last().drop();
      delays.push(timers.delays()[0]!);
      timers.advance(delays.at(-1)!);
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 15000, 15000]);
    last().open();
    last().receive(tick('AAPL', 1));
    last().drop();
    expect(timers.delays()).toEqual([500]);
  });

  it('jitter spreads the delay between half and all of the exponential value', () => {
    const early = setup({ random: 0.999 });
    early.socket.connect();
    early.last().drop();
    const late = setup({ random: 0 });
    late.socket.connect();
    late.last().drop();
    expect(early.timers.delays()[0]).toBe(250);
    expect(late.timers.delays()[0]).toBe(500);
  });

  it('reports recovered:false per symbol and accepts the snapshot that follows without counting a gap', () => {
    const { socket, last, timers, log, received } = setup();
    socket.connect();
    last().open();
    last().receive(tick('AAPL', 10));
    last().drop();
    timers.advance(1_000);
    last().open();
    last().receive({ type: 'subscribed', symbols: ['AAPL', 'MSFT'], recovered: { AAPL: false }, id: 'sub-2' });
    last().receive(tick('AAPL', 500));
    expect(log).toContain('recovery AAPL false');
    expect(received.at(-1)!.seq).toBe(500);
    expect(socket.gaps).toBe(0);
  });

  it('resumes with the epoch it saw; another epoch in the reply drops every position and follows the new sequence', () => {
    const { socket, last, timers, log, received } = setup({ symbols: ['AAPL', 'MSFT'] });
    socket.connect();
    last().open();
    last().receive({ type: 'subscribed', symbols: ['AAPL', 'MSFT'], epoch: 'e1', id: 'sub-1' });
    last().receive(tick('AAPL', 900, 100, 'e1'));
    last().receive(tick('MSFT', 70, 100, 'e1'));
    last().drop();
    timers.advance(1_000);
    last().open();
    expect(last().sent).toEqual([{ action: 'subscribe', symbols: ['AAPL', 'MSFT'], since: { AAPL: 900, MSFT: 70 }, epoch: 'e1', id: 'sub-2' }]);
    last().receive({ type: 'subscribed', symbols: ['AAPL', 'MSFT'], epoch: 'e2', recovered: { AAPL: false, MSFT: false }, id: 'sub-2' });
    last().receive(tick('AAPL', 3, 100, 'e2'));
    last().receive(tick('AAPL', 4, 100, 'e2'));
    expect(log.filter((l) => l.startsWith('epoch'))).toEqual(['epoch e1→e2']);
    expect(socket.epoch).toBe('e2');
    expect(received.map((t) => t.seq)).toEqual([900, 70, 3, 4]);
    expect(socket.positions).toEqual({ AAPL: 4 });
  });

  it('a tick naming a new epoch mid-connection (the server’s Redis was wiped) starts the positions afresh', () => {
    const { socket, last, log, received } = setup({ symbols: ['AAPL'] });
    socket.connect();
    last().open();
    last().receive({ type: 'subscribed', symbols: ['AAPL'], epoch: 'e1', id: 'sub-1' });
    last().receive(tick('AAPL', 50, 100, 'e1'));
    last().receive(tick('AAPL', 1, 100, 'e2'));
    expect(log).toContain('epoch e1→e2');
    expect(received.map((t) => t.seq)).toEqual([50, 1]);
  });

  it('in one epoch, a seq that goes back after a reconnect is a duplicate: dropped, no guessing', () => {
    const { socket, last, timers, received } = setup({ symbols: ['AAPL'] });
    socket.connect();
    last().open();
    last().receive({ type: 'subscribed', symbols: ['AAPL'], epoch: 'e1', id: 'sub-1' });
    last().receive(tick('AAPL', 900, 100, 'e1'));
    last().drop();
    timers.advance(1_000);
    last().open();
    last().receive({ type: 'subscribed', symbols: ['AAPL'], epoch: 'e1', recovered: { AAPL: true }, id: 'sub-2' });
    last().receive(tick('AAPL', 900, 100, 'e1'));
    last().receive(tick('AAPL', 901, 100, 'e1'));
    expect(received.map((t) => t.seq)).toEqual([900, 901]);
    expect(socket.positions).toEqual({ AAPL: 901 });
  });

  it('closed with INVALID_TOKEN: drops the token and reconnects anonymously instead of looping', () => {
    const { socket, sockets, last, timers, log } = setup({ symbols: ['AAPL'], token: 'bad' });
    socket.connect();
    last().open();
    expect(last().sent[0]).toEqual({ action: 'auth', token: 'bad' });
    last().drop(4003, 'INVALID_TOKEN');
    expect(log).toContain('token rejected');
    timers.advance(1_000);
    expect(sockets).toHaveLength(2);
    last().open();
    expect(last().sent.map((m) => m.action)).toEqual(['subscribe']);
  });

  it('a terminal close code (4500–4999) stops reconnecting; retry codes do not', () => {
    const { socket, sockets, last, timers, log } = setup({ symbols: ['AAPL'] });
    socket.connect();
    last().open();
    last().drop(4000, 'SLOW_CONSUMER');
    timers.advance(1_000);
    expect(sockets).toHaveLength(2);
    last().open();
    last().drop(4500, 'GONE_FOR_GOOD');
    timers.advance(60_000);
    expect(sockets).toHaveLength(2);
    expect(socket.status).toBe('closed');
    expect(log).toContain('terminated 4500 GONE_FOR_GOOD');
  });

  it('hands message types it does not know to `message`, so newer servers can add some', () => {
    const seen: unknown[] = [];
    const client = new TickstreamClient({ url: 'ws://x/ws', symbols: [], create: () => fake, events: { message: (m) => seen.push(m) }, pingEveryMs: 0 });
    const fake = new FakeSocket('ws://x/ws');
    client.connect();
    fake.open();
    fake.receive({ type: 'order', id: 7, status: 'filled' });
    fake.receive('not an object');
    expect(seen).toEqual([{ type: 'order', id: 7, status: 'filled' }]);
  });

  it('within one connection a repeated or older seq is dropped', () => {
    const { socket, last, received } = setup({ symbols: ['AAPL'] });
    socket.connect();
    last().open();
    last().receive(tick('AAPL', 5));
    last().receive(tick('AAPL', 5));
    last().receive(tick('AAPL', 4));
    last().receive(tick('AAPL', 7));
    expect(received.map((t) => t.seq)).toEqual([5, 7]);
    expect(socket.gaps).toBe(1);
  });

  it('subscribe and unsubscribe go out at once when open; ticks of a removed symbol are ignored; when closed they wait for the next connection', () => {
    const { socket, last, timers, received } = setup({ symbols: ['AAPL'] });
    socket.connect();
    last().open();
    socket.subscribe(['tsla']);
    socket.unsubscribe(['AAPL']);
    expect(last().sent.slice(1)).toEqual([
      { action: 'subscribe', symbols: ['TSLA'], id: 'sub-2' },
      { action: 'unsubscribe', symbols: ['AAPL'] },
    ]);
    last().receive(tick('AAPL', 3));
    expect(received).toEqual([]);
    last().drop();
    socket.subscribe(['NVDA']);
    timers.advance(1_000);
    last().open();
    expect(last().sent).toEqual([{ action: 'subscribe', symbols: ['TSLA', 'NVDA'], id: 'sub-3' }]);
  });

  it('a subscribe the server refuses (UNKNOWN_SYMBOL) drops those symbols', () => {
    const { socket, last, log } = setup({ symbols: ['AAPL'] });
    socket.connect();
    last().open();
    socket.subscribe(['ZZZZ']);
    last().receive({ type: 'error', code: 'UNKNOWN_SYMBOL', message: 'Unknown symbol(s): ZZZZ.', id: 'sub-2' });
    expect(log).toContain('rejected ZZZZ UNKNOWN_SYMBOL');
    expect(socket.symbols).toEqual(['AAPL']);
  });

  it('authenticates on every connection when it has a token and passes alert messages on', () => {
    const { socket, last, log, timers } = setup({ token: 'tok' });
    socket.connect();
    last().open();
    expect(last().sent[0]).toEqual({ action: 'auth', token: 'tok' });
    last().receive({ type: 'authenticated', user: { id: 1, username: 'ada' } });
    last().receive({ type: 'alert', alert: { id: 1, symbol: 'AAPL' }, price: 191.5, ts: 1 });
    expect(log).toEqual(expect.arrayContaining(['authenticated ada', 'alert AAPL 191.5']));
    last().drop();
    timers.advance(1_000);
    last().open();
    expect(last().sent[0]).toEqual({ action: 'auth', token: 'tok' });
  });

  it('disconnect() closes on purpose: no reconnect until connect(), which resumes from the kept positions', () => {
    const { socket, sockets, last, timers } = setup({ symbols: ['AAPL'] });
    socket.connect();
    last().open();
    last().receive(tick('AAPL', 12));
    socket.disconnect();
    expect(last().closedWith).toBe(1000);
    expect(socket.status).toBe('closed');
    timers.advance(60_000);
    expect(sockets).toHaveLength(1);
    socket.connect();
    last().open();
    expect(last().sent).toEqual([{ action: 'subscribe', symbols: ['AAPL'], since: { AAPL: 12 }, id: 'sub-2' }]);
    expect(socket.reconnects).toBe(1);
  });

  it('pings while open; a link that answers nothing by the next ping is closed and reconnected', () => {
    const { socket, sockets, last, timers } = setup({ symbols: [], pingEveryMs: 10_000 });
    socket.connect();
    last().open();
    timers.advance(10_000);
    expect(last().sent).toEqual([{ action: 'ping' }]);
    last().receive({ type: 'pong', ts: 1 });
    expect(socket.rttMs).toBe(0);
    timers.advance(10_000);
    expect(last().sent).toHaveLength(2);
    timers.advance(10_000);
    // Its own code, not the server's SLOW_CONSUMER.
    expect(last().closedWith).toBe(3001);
    expect(socket.status).toBe('reconnecting');
    timers.advance(1_000);
    expect(sockets).toHaveLength(2);
  });

  it('follows indicator streams: sent when open and on every new connection, refusals dropped, updates of removed streams ignored', () => {
    const sockets: FakeSocket[] = [];
    const timers = new FakeTimers();
    const log: string[] = [];
    const client = new TickstreamClient({
      url: 'ws://example.test/ws',
      symbols: [],
      indicators: { aapl: ['1m:SMA:20'] },
      create: (url) => {
        const s = new FakeSocket(url);
        sockets.push(s);
        return s;
      },
      events: {
        indicatorsSubscribed: (all) => log.push(`subscribed ${JSON.stringify(all)}`),
        indicatorSnapshot: (s) => log.push(`snapshot ${s.symbol} ${s.interval}`),
        indicator: (u) => log.push(`update ${u.symbol} ${JSON.stringify(u.values)}`),
        indicatorsRejected: (streams, code) => log.push(`rejected ${JSON.stringify(streams)} ${code}`),
      },
      timers,
      now: () => timers.now,
      random: () => 0.5,
      pingEveryMs: 0,
    });
    const last = (): FakeSocket => sockets[sockets.length - 1]!;
    client.connect();
    last().open();
    expect(last().sent).toEqual([{ action: 'subscribe', indicators: { AAPL: ['1m:sma:20'] }, id: 'ind-1' }]);
    last().receive({ type: 'indicators_subscribed', indicators: { AAPL: ['1m:sma:20'] }, id: 'ind-1' });
    last().receive({ type: 'indicator_snapshot', symbol: 'AAPL', interval: '1m', indicators: { 'sma:20': [] }, id: 'ind-1' });
    client.subscribeIndicators({ AAPL: ['1m:rsi:14', '1m:sma:20'], MSFT: ['1m:sma:7'] });
    expect(last().sent[1]).toEqual({ action: 'subscribe', indicators: { AAPL: ['1m:rsi:14'], MSFT: ['1m:sma:7'] }, id: 'ind-2' });
    last().receive({ type: 'error', code: 'UNKNOWN_INDICATOR', message: 'sma:7', id: 'ind-2' });
    expect(client.indicators).toEqual({ AAPL: ['1m:sma:20'] });
    last().receive({ type: 'indicator', symbol: 'AAPL', interval: '1m', time: 60_000, values: { 'sma:20': 1.5, 'rsi:14': 40 } });
    client.unsubscribeIndicators({ AAPL: ['1m:sma:20'] });
    expect(last().sent[2]).toEqual({ action: 'unsubscribe', indicators: { AAPL: ['1m:sma:20'] } });
    last().receive({ type: 'indicator', symbol: 'AAPL', interval: '1m', time: 60_000, values: { 'sma:20': 1.6 } });
    client.subscribeIndicators({ MSFT: ['5m:vwap'] });
    last().drop();
    timers.advance(1_000);
    last().open();
    expect(last().sent).toEqual([{ action: 'subscribe', indicators: { MSFT: ['5m:vwap'] }, id: 'ind-4' }]);
    expect(log).toEqual([
      'subscribed {"AAPL":["1m:sma:20"]}',
      'snapshot AAPL 1m',
      'rejected {"AAPL":["1m:rsi:14"],"MSFT":["1m:sma:7"]} UNKNOWN_INDICATOR',
      'update AAPL {"sma:20":1.5}',
    ]);
  });
});
