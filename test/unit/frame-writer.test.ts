import { PassThrough } from 'node:stream';
import * as wsModule from 'ws';
import type { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { frameOf, writeFrames } from '../../src/servers/ws/frame-writer.js';

/** ws's own framing (exported at runtime, not in its type declarations). */
const Sender = (wsModule as unknown as { Sender: { frame(data: Buffer, options: object): Buffer[] } }).Sender;
const wsFrame = (payload: Buffer): Buffer => Buffer.concat(Sender.frame(payload, { fin: true, opcode: 1, mask: false, readOnly: true, rsv1: false }));

/** A stand-in for a server-side ws WebSocket with an idle sender, over a socket that records writes. */
function fakeWs(options: { extensions?: Record<string, unknown>; senderBusy?: boolean } = {}) {
  const socket = new PassThrough();
  const written: Buffer[] = [];
  socket.on('data', (d: Buffer) => written.push(d));
  const sent: Buffer[] = [];
  const ws = {
    _socket: Object.assign(socket, { cork() {}, uncork() {} }),
    _sender: { _state: options.senderBusy ? 1 : 0, _queue: [], _firstFragment: true },
    _extensions: options.extensions ?? {},
    send: (data: Buffer) => sent.push(data),
  };
  return { ws: ws as unknown as WebSocket, written, sent };
}

describe('frame writer', () => {
  it('builds the same bytes as ws for every header size', () => {
    for (const n of [0, 1, 125, 126, 127, 65_535, 65_536, 70_000]) {
      const payload = Buffer.alloc(n, 'x');
      expect(frameOf(payload).equals(wsFrame(payload))).toBe(true);
    }
  });

  it('builds a payload’s frame once', () => {
    const payload = Buffer.from('{"type":"tick"}');
    expect(frameOf(payload)).toBe(frameOf(payload));
  });

  it('writes a flush as one write, frames in order', async () => {
    const { ws, written, sent } = fakeWs();
    const a = Buffer.from('{"a":1}');
    const b = Buffer.from('{"b":2}');
    writeFrames(ws, [a, b]);
    await new Promise((r) => setImmediate(r));
    expect(sent).toEqual([]);
    expect(written).toHaveLength(1);
    expect(written[0]!.equals(Buffer.concat([wsFrame(a), wsFrame(b)]))).toBe(true);
  });

  it('leaves frames to ws.send when an extension was negotiated or its sender is busy', async () => {
    for (const options of [{ extensions: { 'permessage-deflate': {} } }, { senderBusy: true }]) {
      const { ws, written, sent } = fakeWs(options);
      const a = Buffer.from('{"a":1}');
      writeFrames(ws, [a, a]);
      await new Promise((r) => setImmediate(r));
      expect(written).toEqual([]);
      expect(sent).toEqual([a, a]);
    }
  });
});
