import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

/**
 * The gateway's write path. A tick's JSON is shared by all its subscribers; its complete
 * WebSocket frame (header + payload) is built once, on first use, and the same bytes are written
 * to every subscriber's socket. A client's frames of one flush go out as one write (one syscall).
 *
 * This relies on `ws` 8 internals, kept to this module: `_socket` (the `net.Socket` under a
 * server-side WebSocket), `_sender` (to check that ws has nothing of its own in flight, so our
 * bytes cannot land inside one of its frames) and `_extensions`. Whenever one is missing or busy,
 * or the connection negotiated an extension (permessage-deflate: frames would need compressing),
 * frames go through the public `ws.send` instead. Writing to the socket keeps `ws.bufferedAmount`
 * exact: it is the socket's own write queue plus what ws's sender holds.
 *
 * ws has no public way to send bytes already framed, and framing each subscriber's copy is what
 * this module saves (one frame per tick instead of one per subscriber). So package.json pins `ws`
 * to the minor these internals were read from (`~8.23.0`), and test/unit/frame-writer.test.ts
 * runs a real ws server and fails if the direct path stops being taken or its bytes stop being
 * what a ws client reads: check it before moving the pin.
 */
interface WsInternals {
  _socket?: Socket;
  _sender?: { _state?: number; _queue?: unknown[]; _firstFragment?: boolean };
  _extensions?: Record<string, unknown>;
}

/** Server frames are never masked: FIN + text opcode, then the payload length. */
function textFrame(payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x81;
  if (header === 2) frame[1] = length;
  else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  payload.copy(frame, header);
  return frame;
}

/** Frames by payload: a tick's payload is one Buffer shared by all subscribers. */
const frames = new WeakMap<Buffer, Buffer>();

export function frameOf(payload: Buffer): Buffer {
  let frame = frames.get(payload);
  if (frame === undefined) {
    frame = textFrame(payload);
    frames.set(payload, frame);
  }
  return frame;
}

const PERMESSAGE_DEFLATE = 'permessage-deflate';

/** The socket to write frames to directly, or undefined when ws must do it. */
function directSocket(ws: WebSocket): Socket | undefined {
  const w = ws as unknown as WsInternals;
  const socket = w._socket;
  const sender = w._sender;
  if (socket === undefined || sender === undefined) return undefined;
  if (sender._state !== 0 || sender._queue === undefined || sender._queue.length !== 0 || sender._firstFragment !== true) return undefined;
  if (w._extensions === undefined || w._extensions[PERMESSAGE_DEFLATE] !== undefined) return undefined;
  return socket;
}

const TEXT = { binary: false } as const;

/** Writes text payloads to an open WebSocket, in order. */
export function writeFrames(ws: WebSocket, payloads: readonly Buffer[]): void {
  const socket = directSocket(ws);
  if (socket === undefined) {
    const raw = (ws as unknown as WsInternals)._socket;
    if (payloads.length > 1) raw?.cork();
    for (const p of payloads) ws.send(p, TEXT);
    if (payloads.length > 1) raw?.uncork();
    return;
  }
  if (payloads.length === 1) {
    socket.write(frameOf(payloads[0]!));
    return;
  }
  let total = 0;
  const list = new Array<Buffer>(payloads.length);
  for (let i = 0; i < payloads.length; i++) {
    const f = frameOf(payloads[i]!);
    list[i] = f;
    total += f.length;
  }
  socket.write(Buffer.concat(list, total));
}
