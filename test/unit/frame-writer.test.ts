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

/**
 * The internals this module reads, on the installed ws (package.json pins its minor): a real
 * server and client over loopback. If a ws release renames or changes them, the direct path is
 * no longer taken (or its frames are misread) and this fails; the fallback alone would still pass
 * every other test, only slower.
 */
describe('frame writer on the installed ws', () => {
  it('takes the direct path on a real server-side socket, and a ws client reads its frames', async () => {
    const { WebSocketServer, WebSocket: Client } = wsModule;
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
    try {
      await new Promise<void>((resolve) => server.once('listening', resolve));
      const { port } = server.address() as { port: number };
      const accepted = new Promise<WebSocket>((resolve) => server.once('connection', resolve));
      const client = new Client(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
      client.on('error', () => {});
      const received: string[] = [];
      const three = new Promise<void>((resolve) =>
        client.on('message', (data: Buffer) => {
          received.push(data.toString());
          if (received.length === 3) resolve();
        }),
      );
      await new Promise<void>((resolve) => client.once('open', () => resolve()));
      const socket = await accepted;

      const internals = socket as unknown as { _socket?: unknown; _sender?: { _state?: unknown; _queue?: unknown; _firstFragment?: unknown }; _extensions?: unknown };
      expect(internals._socket, 'ws keeps the net.Socket as _socket').toBeInstanceOf((await import('node:net')).Socket);
      expect(internals._sender, 'an idle sender reads as idle').toMatchObject({ _state: 0, _queue: [], _firstFragment: true });
      expect(internals._extensions).toEqual({});

      const send = socket.send.bind(socket);
      let viaSend = 0;
      socket.send = ((...args: Parameters<typeof send>) => {
        viaSend++;
        return send(...args);
      }) as typeof socket.send;
      writeFrames(socket, [Buffer.from('{"n":1}'), Buffer.from('{"n":2}')]);
      writeFrames(socket, [Buffer.from('x'.repeat(70_000))]);
      await three;
      expect(viaSend, 'frames went through ws.send: the internals changed').toBe(0);
      expect(received.slice(0, 2)).toEqual(['{"n":1}', '{"n":2}']);
      expect(received[2]).toHaveLength(70_000);
      client.close();
    } finally {
      for (const c of server.clients) c.terminate();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
