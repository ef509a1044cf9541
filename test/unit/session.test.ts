import type { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { encodeTick } from '../../src/protocol/index.js';
import { Session } from '../../src/servers/ws/session.js';
import { aTick } from '../support/ticks.js';

/** The socket is only carried along by Session; none of the logic here touches it. */
const noSocket = {} as WebSocket;

const newSession = (batch = false): Session => new Session(1, '127.0.0.1', noSocket, { batch, messageRate: 10, messageBurst: 10 }, 0);

const frame = (symbol: string, seq: number) => ({ seq, frame: Buffer.from(encodeTick(aTick({ symbol, seq }), 'e1')) });

const offer = (s: Session, symbol: string, seq: number): number => s.offer(symbol, seq, frame(symbol, seq).frame);

interface Frame {
  type: string;
  symbol?: string;
  seq?: number;
  data?: Frame[];
}

const taken = (s: Session): Frame[] => s.take().map((b) => JSON.parse(b.toString('utf8')) as Frame);
const ticksOf = (frames: Frame[]): string[] => frames.map((f) => `${f.symbol}:${f.seq}`);

/** A session already subscribed (released with an empty snapshot) to `symbols`. */
const subscribed = (batch: boolean, ...symbols: string[]): Session => {
  const s = newSession(batch);
  for (const symbol of symbols) {
    s.hold(symbol);
    s.release(symbol, []);
  }
  return s;
};

describe('Session: hold and release', () => {
  it('queues the snapshot, then ticks that arrived while held, without duplicates', () => {
    const s = newSession();
    s.hold('AAPL');
    for (const seq of [4, 5, 6, 7]) expect(offer(s, 'AAPL', seq)).toBe(0);
    expect(s.hasPending).toBe(false);
    s.release('AAPL', [frame('AAPL', 5)]);
    expect(ticksOf(taken(s))).toEqual(['AAPL:5', 'AAPL:6', 'AAPL:7']);
  });

  it('replays history before held ticks and keeps seq strictly increasing', () => {
    const s = newSession();
    s.hold('AAPL');
    for (const seq of [9, 10, 11]) offer(s, 'AAPL', seq);
    s.release('AAPL', [8, 9, 10].map((seq) => frame('AAPL', seq)));
    const seqs = taken(s).map((f) => f.seq!);
    expect(seqs).toEqual([8, 9, 10, 11]);
  });

  it('re-holding a subscribed symbol keeps its position', () => {
    const s = subscribed(false, 'AAPL');
    offer(s, 'AAPL', 3);
    s.take();
    s.hold('AAPL');
    offer(s, 'AAPL', 4);
    s.release('AAPL', [frame('AAPL', 2), frame('AAPL', 3)]);
    expect(ticksOf(taken(s))).toEqual(['AAPL:4']);
  });

  it('ignores ticks of symbols it does not hold or subscribe to', () => {
    const s = subscribed(false, 'AAPL');
    expect(offer(s, 'MSFT', 1)).toBe(0);
    s.release('MSFT', [frame('MSFT', 1)]);
    s.drop('AAPL');
    expect(offer(s, 'AAPL', 1)).toBe(0);
    expect(s.hasPending).toBe(false);
    expect(s.subscribedSymbols()).toEqual([]);
  });
});

describe('Session: offer', () => {
  it('drops a tick whose seq is not above the last one queued', () => {
    const s = subscribed(false, 'AAPL', 'MSFT');
    expect([5, 5, 3, 6].map((seq) => offer(s, 'AAPL', seq))).toEqual([1, 0, 0, 1]);
    expect(offer(s, 'MSFT', 1)).toBe(1);
    expect(ticksOf(taken(s))).toEqual(['AAPL:5', 'AAPL:6', 'MSFT:1']);
  });

  it('keeps ticks and control frames in the order queued', () => {
    const s = subscribed(false, 'AAPL');
    offer(s, 'AAPL', 1);
    s.control({ type: 'pong' });
    offer(s, 'AAPL', 2);
    expect(taken(s).map((f) => f.type)).toEqual(['tick', 'pong', 'tick']);
    expect(s.hasPending).toBe(false);
  });
});

describe('Session: conflation', () => {
  it('startConflating folds queued ticks to the newest per symbol and keeps control frames', () => {
    const s = subscribed(false, 'AAPL', 'MSFT');
    offer(s, 'AAPL', 1);
    s.control({ type: 'subscribed' });
    offer(s, 'MSFT', 1);
    offer(s, 'AAPL', 2);
    expect(s.startConflating(1_000)).toBe(1);
    expect(s.conflating).toBe(true);
    expect(s.conflatingSince).toBe(1_000);
    expect(taken(s).map((f) => f.type)).toEqual(['subscribed']);
    s.stopConflating();
    expect(ticksOf(taken(s))).toEqual(['AAPL:2', 'MSFT:1']);
  });

  it('while conflating keeps only the latest tick per symbol, then queues them on stop', () => {
    const s = subscribed(false, 'AAPL', 'MSFT');
    s.startConflating(0);
    expect([offer(s, 'MSFT', 1), offer(s, 'AAPL', 1), offer(s, 'MSFT', 2), offer(s, 'MSFT', 3), offer(s, 'AAPL', 1)]).toEqual([1, 1, -1, -1, 0]);
    s.control({ type: 'pong' });
    expect(taken(s).map((f) => f.type)).toEqual(['pong']);
    s.stopConflating();
    expect(s.conflating).toBe(false);
    expect(ticksOf(taken(s))).toEqual(['MSFT:3', 'AAPL:1']);
    offer(s, 'AAPL', 2);
    offer(s, 'AAPL', 3);
    expect(ticksOf(taken(s))).toEqual(['AAPL:2', 'AAPL:3']);
  });
});

describe('Session: batches', () => {
  it('sends runs of ticks as one `ticks` frame, control frames apart and in order', () => {
    const s = subscribed(true, 'AAPL', 'MSFT');
    offer(s, 'AAPL', 1);
    offer(s, 'MSFT', 1);
    offer(s, 'AAPL', 2);
    s.control({ type: 'pong' });
    offer(s, 'MSFT', 2);
    s.control({ type: 'subscribed' });
    s.control({ type: 'pong' });
    offer(s, 'AAPL', 3);
    offer(s, 'AAPL', 4);
    const frames = taken(s);
    expect(frames.map((f) => f.type)).toEqual(['ticks', 'pong', 'tick', 'subscribed', 'pong', 'ticks']);
    expect(ticksOf(frames[0]!.data!)).toEqual(['AAPL:1', 'MSFT:1', 'AAPL:2']);
    expect(ticksOf([frames[2]!])).toEqual(['MSFT:2']);
    expect(ticksOf(frames[5]!.data!)).toEqual(['AAPL:3', 'AAPL:4']);
    expect(frames[0]!.data!.every((f) => f.type === 'tick')).toBe(true);
  });

  it('sends every tick on its own without batch mode', () => {
    const s = subscribed(false, 'AAPL');
    for (const seq of [1, 2, 3]) offer(s, 'AAPL', seq);
    expect(taken(s).map((f) => f.type)).toEqual(['tick', 'tick', 'tick']);
  });
});
