import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom, type Random } from '../../src/domain/random.js';
import { recordFigures, scaled } from '../support/chaos.js';
import { encodeFrame, RawWebSocket, textFrame } from '../support/raw-ws.js';
import { metric, startServer, type RunningServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { gaps, TestClient } from '../support/ws-client.js';

/**
 * The WebSocket protocol under abuse, on the real CLI over bare TCP: first every kind of broken
 * frame one at a time, each answered with its close code (or an error reply where the connection
 * may stay); then a bounded random fuzzer, several sockets sending thousands of random, mutated
 * and fragmented frames. Afterwards the process must be up, serving, holding no leftover
 * connection, with its resident memory (from /metrics) within a bound. No timing is asserted.
 */
const FRAMES = scaled(3_000, 40_000);
const SOCKETS = scaled(4, 8);
const SEED = Number(process.env.CHAOS_SEED ?? 1234);
const MAX_FRAME_BYTES = 4_096;
/** Growth of resident memory the fuzzer may cause (a leak per frame or connection would pass it). */
const RSS_GROWTH_BOUND = 256 * 1024 * 1024;

let server: RunningServer;
let observer: TestClient;

beforeAll(async () => {
  server = await startServer({
    // The roles a stream needs and nothing else: the embedded database's start-up (api, alerts)
    // would hold the event loop for seconds on a loaded machine, long enough to hide an answer.
    ROLES: 'generator,processor,gateway',
    SYMBOLS: 'AAPL,MSFT',
    TICK_RATE: '50',
    WS_MAX_FRAME_BYTES: String(MAX_FRAME_BYTES),
    // The fuzzer's frames should reach the parser, not stop at the budgets (bad-input tests those).
    WS_MESSAGE_RATE: '100000',
    WS_MESSAGE_BURST: '100000',
    WS_ADDRESS_MESSAGE_RATE: '1000000',
    WS_ADDRESS_MESSAGE_BURST: '1000000',
    WS_CONNECT_RATE: '100000',
    WS_CONNECT_BURST: '100000',
  });
  observer = await TestClient.connect(`${server.ws}?symbols=AAPL`);
  await observer.waitForTicks(2, 'AAPL');
});
afterAll(async () => {
  observer?.close();
  await server?.stop();
});

const close = (code: number, reason = Buffer.alloc(0)): Buffer => {
  const payload = Buffer.alloc(2);
  payload.writeUInt16BE(code);
  return Buffer.concat([payload, reason]);
};

/** [what, bytes, the close code the server must answer with]. */
const fatal: [string, Buffer, number][] = [
  ['an unmasked frame', textFrame('{"action":"ping"}', { masked: false }), 1002],
  ['RSV1 without an extension', textFrame('{"action":"ping"}', { rsv: 4 }), 1002],
  ['RSV2', textFrame('{"action":"ping"}', { rsv: 2 }), 1002],
  ['RSV3', textFrame('{"action":"ping"}', { rsv: 1 }), 1002],
  ['a reserved data opcode (3)', encodeFrame({ opcode: 3, payload: Buffer.from('x') }), 1002],
  ['a reserved control opcode (0xB)', encodeFrame({ opcode: 0xb }), 1002],
  ['a continuation with nothing to continue', encodeFrame({ opcode: 0, payload: Buffer.from('x') }), 1002],
  ['a fragmented ping', encodeFrame({ opcode: 9, fin: false }), 1002],
  ['a ping over 125 bytes', encodeFrame({ opcode: 9, payload: Buffer.alloc(126, 1) }), 1002],
  ['a new text frame inside a fragmented one', Buffer.concat([textFrame('{"action":', { fin: false }), textFrame('"ping"}')]), 1002],
  ['text that is not UTF-8', encodeFrame({ opcode: 1, payload: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) }), 1007],
  ['a frame announcing 1 MiB', encodeFrame({ opcode: 1, announcedLength: 1024 * 1024 }), 1009],
  ['a frame announcing 2^40 bytes', encodeFrame({ opcode: 2, announcedLength: 2 ** 40 }), 1009],
  [
    'fragments adding up past the limit',
    Buffer.concat([textFrame('x'.repeat(MAX_FRAME_BYTES - 10), { fin: false }), encodeFrame({ opcode: 0, payload: Buffer.alloc(100, 0x78) })]),
    1009,
  ],
  ['a close code below 1000', encodeFrame({ opcode: 8, payload: close(999) }), 1002],
  ['the reserved close code 1005', encodeFrame({ opcode: 8, payload: close(1005) }), 1002],
  ['a one-byte close payload', encodeFrame({ opcode: 8, payload: Buffer.from([3]) }), 1002],
  ['a close reason that is not UTF-8', encodeFrame({ opcode: 8, payload: close(1000, Buffer.from([0xc3, 0x28])) }), 1007],
  ['a normal close', encodeFrame({ opcode: 8, payload: close(1000) }), 1000],
];

/** [what, bytes, the error code of the reply; the connection stays open]. */
const answered: [string, Buffer, string][] = [
  ['a binary frame', encodeFrame({ opcode: 2, payload: Buffer.from('{"action":"ping"}') }), 'BAD_REQUEST'],
  ['text that is not JSON', textFrame('{"action": "subscribe", '), 'BAD_JSON'],
  ['a message in three fragments with a ping between', Buffer.concat([textFrame('{"action":', { fin: false }), encodeFrame({ opcode: 9 }), encodeFrame({ opcode: 0, payload: Buffer.from('"fly"'), fin: false }), encodeFrame({ opcode: 0, payload: Buffer.from('}'), fin: true })]), 'UNKNOWN_ACTION'],
  ['a deeply nested array', textFrame('['.repeat(1_500) + ']'.repeat(1_500)), 'BAD_REQUEST'],
];

describe('frame abuse, one kind at a time', () => {
  it.each(fatal)('%s: closed with the right code', async (_what, bytes, code) => {
    const ws = await RawWebSocket.open(server.port);
    ws.write(bytes);
    expect(await ws.waitForEnd()).toBe(code);
  });

  it.each(answered)('%s: an error reply, and the connection stays usable', async (_what, bytes, code) => {
    const ws = await RawWebSocket.open(server.port);
    ws.write(bytes);
    await ws.waitForText((t) => t.includes(`"${code}"`));
    ws.write(textFrame('{"action":"ping","id":7}'));
    await ws.waitForText((t) => t.includes('"pong"'));
    expect(ws.ended).toBe(false);
    ws.destroy();
  });

  it('a client ping frame gets a pong', async () => {
    const ws = await RawWebSocket.open(server.port);
    ws.write(encodeFrame({ opcode: 9, payload: Buffer.from('hi') }));
    await waitFor(() => ws.pongs > 0, 'a pong frame');
    ws.destroy();
  });

  it(`${fatal.length + answered.length + 1} kinds checked; the observer's stream is untouched`, async () => {
    recordFigures('frame abuse', { kinds: fatal.length + answered.length + 1, closedWithTheRightCode: fatal.length, answeredAndOpen: answered.length + 1, processUp: server.process.exitCode === null });
    expect(gaps(observer.ticks('AAPL'))).toEqual([]);
    expect(observer.closed).toBeUndefined();
  });
});

const SAMPLES = [
  '{"action":"subscribe","symbols":["AAPL","MSFT"],"since":{"AAPL":3},"id":1}',
  '{"action":"unsubscribe","symbols":["AAPL"],"id":"x"}',
  '{"action":"ping","id":{"deep":[1,2,3]}}',
  '{"action":"auth","token":"eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"}',
  '["AAPL","MSFT"]',
  '{"action":"subscribe","symbols":["*"],"epoch":"abc","since":{"*":1}}',
];

/** One frame of the fuzzer (a few whole frames in a row when it fragments). */
function fuzzFrame(random: Random): Buffer {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random.next() * items.length)]!;
  const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => Math.floor(random.next() * 256)));
  const roll = random.next();
  if (roll < 0.45) {
    // A real message, mutated: bytes flipped, cut short, spliced, or values swapped for odd ones.
    const text = Buffer.from(pick(SAMPLES));
    const kind = random.next();
    if (kind < 0.3) for (let k = 0; k < 1 + random.next() * 4; k++) text[Math.floor(random.next() * text.length)] = Math.floor(random.next() * 256);
    else if (kind < 0.5) return textFrame(text.subarray(0, Math.floor(random.next() * text.length)).toString('latin1'));
    else if (kind < 0.7) return textFrame(pick(SAMPLES).replace(/"[A-Z]+"|\d+/, pick(['null', '-1', '1e309', '"\\u0000"', '{}', '[]', `"${'Z'.repeat(40)}"`, '9007199254740993', 'true'])));
    else if (kind < 0.8) return textFrame(`{"action":"subscribe","symbols":[${Array.from({ length: 1 + Math.floor(random.next() * 300) }, () => '"AAPL"').join(',')}]}`);
    return encodeFrame({ opcode: 1, payload: text });
  }
  if (roll < 0.6) return textFrame(pick(SAMPLES));
  if (roll < 0.75) {
    // Any header: opcode, reserved bits, mask and length chosen at random, with a random body.
    const payload = bytes(Math.floor(random.next() * 140));
    return encodeFrame({ opcode: Math.floor(random.next() * 16), rsv: random.next() < 0.2 ? Math.floor(random.next() * 8) : 0, fin: random.next() < 0.8, masked: random.next() < 0.9, payload });
  }
  if (roll < 0.85) {
    // A fragmented message, sometimes with a control frame or a stray data frame between fragments.
    const text = Buffer.from(pick(SAMPLES));
    const cut = Math.floor(random.next() * text.length);
    const middle = random.next() < 0.5 ? [encodeFrame({ opcode: pick([9, 10, 1, 2]), payload: bytes(4) })] : [];
    return Buffer.concat([encodeFrame({ opcode: 1, fin: false, payload: text.subarray(0, cut) }), ...middle, encodeFrame({ opcode: 0, payload: text.subarray(cut) })]);
  }
  if (roll < 0.92) return bytes(1 + Math.floor(random.next() * 64));
  // A frame that lies about its length (longer than what follows, or over the limit).
  return encodeFrame({ opcode: pick([1, 2, 0]), announcedLength: pick([200, 70_000, 2 ** 33]), payload: bytes(Math.floor(random.next() * 50)) });
}

describe('random frames', () => {
  it(`${FRAMES} random and mutated frames from ${SOCKETS} sockets: the process stays up, serving, memory bounded`, async () => {
    const rssBefore = await metric(server, 'process_resident_memory_bytes');
    const closeCodes = new Map<string, number>();
    let connections = 0;
    let refused = 0;
    let written = 0;
    let replies = 0;
    const tally = (ws: RawWebSocket): void => {
      const code = String(ws.closeCode ?? 'none');
      closeCodes.set(code, (closeCodes.get(code) ?? 0) + 1);
      replies += ws.framesReceived;
    };
    const worker = async (index: number): Promise<void> => {
      const random = seededRandom(SEED + index);
      let ws: RawWebSocket | undefined;
      for (let i = 0; i < FRAMES / SOCKETS; i++) {
        if (!ws || ws.closing) {
          if (ws) tally(ws);
          ws = await RawWebSocket.open(server.port, random.next() < 0.5 ? '/ws?symbols=' : '/ws?symbols=MSFT&batch=1').catch(() => undefined);
          if (!ws) {
            refused++;
            continue;
          }
          connections++;
        }
        ws.write(fuzzFrame(random));
        written++;
        // Let the server answer (and close) before the next frame, so frames meet live connections.
        await new Promise((resolve) => setImmediate(resolve));
        if (i % 25 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
      }
      if (ws) {
        ws.destroy();
        tally(ws);
      }
    };
    await Promise.all(Array.from({ length: SOCKETS }, (_, i) => worker(i)));

    expect(server.process.exitCode).toBeNull();
    // Every fuzzing connection is gone from the gateway: only the observer is left.
    await waitFor(async () => (await metric(server, 'tickstream_ws_connections')) === 1, 'the fuzzers’ sessions to be gone', 30_000, 100);
    const rssAfter = await metric(server, 'process_resident_memory_bytes');
    const health = await fetch(`${server.http}/health`);
    const fresh = await TestClient.connect(`${server.ws}?symbols=MSFT`);
    await fresh.waitForTicks(1, 'MSFT');
    fresh.close();
    const figures = {
      seed: SEED,
      sockets: SOCKETS,
      framesWritten: written,
      connections,
      upgradesRefused: refused,
      serverFrames: replies,
      closeCodes: [...closeCodes].sort().map(([code, n]) => `${code}×${n}`).join(' '),
      rssBeforeMiB: Math.round(rssBefore / 2 ** 20),
      rssAfterMiB: Math.round(rssAfter / 2 ** 20),
      processUp: server.process.exitCode === null,
      healthStatus: health.status,
    };
    recordFigures('random-frame fuzzer', figures);
    expect(health.status).toBe(200);
    expect(rssAfter - rssBefore).toBeLessThan(RSS_GROWTH_BOUND);
    expect(observer.closed).toBeUndefined();
    expect(gaps(observer.ticks('AAPL'))).toEqual([]);
  }, 300_000);
});
