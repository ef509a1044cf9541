import type { Socket } from 'socket.io';
import { describe, expect, it } from 'vitest';
import { tickCodec } from '../../src/adapters/codec.js';
import { attachLogPosition, logPositionOf } from '../../src/domain/log-position.js';
import { socketIoTick, type SocketIoTick } from '../../src/protocol/socketio.js';
import { parseRoom, parseSymbols } from '../../src/servers/socketio/requests.js';
import { SocketIoSession } from '../../src/servers/socketio/session.js';
import { aTick } from '../support/ticks.js';

const tick = (symbol: string, seq: number): SocketIoTick => socketIoTick({ symbol, price: 100 + seq, size: 10, ts: 1_700_000_000_000 + seq, seq }, 'e1');
const session = (): SocketIoSession => new SocketIoSession(1, '127.0.0.1', {} as Socket, { perSecond: 10, burst: 10 }, 0);

describe('stock-tick payload', () => {
  it('has the reference fields: ISO timestamp, volume = size, partition/offset from the log', () => {
    const t = aTick({ symbol: 'AAPL', price: 150.45, size: 300, seq: 17 });
    expect(socketIoTick(t, 'ep', { partition: 2, offset: '41' })).toEqual({
      symbol: 'AAPL', price: 150.45, timestamp: new Date(t.ts).toISOString(), volume: 300, partition: 2, offset: 41, seq: 17, ts: t.ts, epoch: 'ep',
    });
    expect(socketIoTick(t, 'ep', { partition: 0, offset: '1700000000000-0/3' }).offset).toBe('1700000000000-0/3');
    expect(socketIoTick(t, 'ep')).toMatchObject({ partition: null, offset: null });
  });
});

describe('log position across pub/sub (tickCodec)', () => {
  it('travels with a tick that has one, and leaves other ticks encoded as before', () => {
    const plain = aTick({ seq: 3 });
    expect(JSON.parse(tickCodec.encode(plain))).toEqual({ symbol: 'AAPL', price: 100, size: 100, ts: plain.ts, seq: 3, source: 'test' });
    const placed = aTick({ seq: 4 });
    attachLogPosition(placed, { partition: 5, offset: '99' });
    const decoded = tickCodec.decode(tickCodec.encode(placed))!;
    expect(decoded).toEqual(placed);
    expect(logPositionOf(decoded)).toEqual({ partition: 5, offset: '99' });
    expect(logPositionOf(tickCodec.decode('{"symbol":"AAPL","price":1,"size":1,"ts":1,"seq":1,"partition":-1,"offset":"x"}')!)).toBeUndefined();
  });
});

describe('Socket.IO requests', () => {
  it('a symbol or an array, upper-cased and de-duplicated; anything else is BAD_REQUEST', () => {
    expect(parseSymbols('subscribe', 'aapl', 10)).toEqual({ kind: 'subscribe', symbols: ['AAPL'] });
    expect(parseSymbols('subscribe', ['AAPL', 'googl', 'AAPL'], 10)).toEqual({ kind: 'subscribe', symbols: ['AAPL', 'GOOGL'] });
    expect(parseSymbols('unsubscribe', { symbols: ['MSFT'] }, 10)).toEqual({ kind: 'unsubscribe', symbols: ['MSFT'] });
    for (const bad of [undefined, 42, [], [42], [''], ['X'.repeat(33)], { symbol: 'A' }]) expect(parseSymbols('subscribe', bad, 10)).toMatchObject({ code: 'BAD_REQUEST' });
    expect(parseSymbols('subscribe', ['A', 'B', 'C'], 2)).toMatchObject({ code: 'TOO_MANY_SYMBOLS' });
  });

  it('the one room is stock-updates', () => {
    expect(parseRoom('join', 'stock-updates')).toEqual({ kind: 'join', all: true });
    expect(parseRoom('join', 'AAPL')).toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('SocketIoSession', () => {
  it('holds live ticks while the snapshot is read, then sends each seq once, in order', () => {
    const s = session();
    s.hold('AAPL');
    expect(s.offer(tick('AAPL', 5))).toBe(0);
    expect(s.offer(tick('AAPL', 6))).toBe(0);
    s.release('AAPL', [tick('AAPL', 5)]);
    expect(s.offer(tick('AAPL', 6))).toBe(0);
    expect(s.offer(tick('MSFT', 1))).toBe(0);
    expect(s.take().map((t) => t.seq)).toEqual([5, 6]);
  });

  it('conflates to the newest tick per symbol while behind, and holds one per symbol at most', () => {
    const s = session();
    for (const sym of ['AAPL', 'MSFT']) {
      s.hold(sym);
      s.release(sym, []);
    }
    s.offer(tick('AAPL', 1));
    s.offer(tick('AAPL', 2));
    expect(s.startConflating(0)).toBe(1);
    for (let seq = 3; seq < 1_000; seq++) expect(s.offer(tick('AAPL', seq))).toBe(-1);
    s.offer(tick('MSFT', 1));
    expect(s.take()).toEqual([]);
    s.stopConflating();
    expect(s.take().map((t) => [t.symbol, t.seq])).toEqual([['AAPL', 999], ['MSFT', 1]]);
  });

  it('repeats the latest tick of a symbol asked for again, unless one is still waiting; drops ticks of symbols it left', () => {
    const s = session();
    for (const sym of ['AAPL', 'MSFT']) {
      s.hold(sym);
      s.release(sym, []);
    }
    s.offer(tick('AAPL', 7));
    expect(s.repeatLatest('AAPL')).toBe(false);
    s.offer(tick('MSFT', 3));
    s.drop('MSFT');
    expect(s.take().map((t) => t.seq)).toEqual([7]);
    expect(s.repeatLatest('AAPL')).toBe(true);
    expect(s.take().map((t) => t.seq)).toEqual([7]);
    expect(s.repeatLatest('MSFT')).toBe(false);
  });
});
