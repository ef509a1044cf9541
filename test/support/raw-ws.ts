import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/**
 * A WebSocket client over a bare TCP socket, for frames no library would send (unmasked, reserved
 * bits, bad opcodes, lying lengths). Reads the server's frames only far enough to count them and
 * to see its close code.
 */
export interface FrameSpec {
  readonly opcode: number;
  readonly payload?: Buffer;
  readonly fin?: boolean;
  /** The three reserved bits, 0–7. */
  readonly rsv?: number;
  /** Clients must mask; false sends the payload in the clear. */
  readonly masked?: boolean;
  /** A length to announce instead of the payload's (a lie, or a huge frame never sent in full). */
  readonly announcedLength?: number;
}

export function encodeFrame({ opcode, payload = Buffer.alloc(0), fin = true, rsv = 0, masked = true, announcedLength }: FrameSpec): Buffer {
  const length = announcedLength ?? payload.length;
  const head: number[] = [(fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f)];
  const maskBit = masked ? 0x80 : 0;
  if (length < 126) head.push(maskBit | length);
  else if (length < 65_536) head.push(maskBit | 126, length >> 8, length & 0xff);
  else {
    head.push(maskBit | 127);
    const big = Buffer.alloc(8);
    big.writeBigUInt64BE(BigInt(length));
    head.push(...big);
  }
  if (!masked) return Buffer.concat([Buffer.from(head), payload]);
  const mask = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i]! ^= mask[i % 4]!;
  return Buffer.concat([Buffer.from(head), mask, body]);
}

export const textFrame = (text: string, extra: Omit<FrameSpec, 'opcode' | 'payload'> = {}): Buffer => encodeFrame({ opcode: 1, payload: Buffer.from(text), ...extra });

export class RawWebSocket {
  /** The code of the server's close frame (1005 when it had none), once one came. */
  closeCode: number | undefined;
  ended = false;
  framesReceived = 0;
  /** The server's last text frames (a few, for checking replies). */
  readonly texts: string[] = [];
  pongs = 0;
  private buffer = Buffer.alloc(0);
  private upgraded = false;

  private constructor(private readonly socket: Socket) {}

  /** Opens the socket and completes the upgrade; rejects if the server refuses it. */
  static open(port: number, path = '/ws?symbols='): Promise<RawWebSocket> {
    const socket = connect(port, '127.0.0.1');
    const raw = new RawWebSocket(socket);
    return new Promise((resolve, reject) => {
      socket.on('error', (error) => {
        raw.ended = true;
        reject(error);
      });
      socket.on('close', () => {
        raw.ended = true;
        reject(new Error('closed before the upgrade'));
      });
      socket.on('connect', () => {
        socket.write(
          `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
      });
      socket.on('data', (chunk: Buffer) => {
        raw.buffer = Buffer.concat([raw.buffer, chunk]);
        if (!raw.upgraded) {
          const end = raw.buffer.indexOf('\r\n\r\n');
          if (end < 0) return;
          const status = raw.buffer.subarray(0, raw.buffer.indexOf('\r\n')).toString('latin1');
          if (!status.includes(' 101 ')) {
            socket.destroy();
            reject(new Error(`upgrade refused: ${status}`));
            return;
          }
          raw.upgraded = true;
          raw.buffer = raw.buffer.subarray(end + 4);
          resolve(raw);
        }
        raw.readFrames();
      });
    });
  }

  /** The server closed (or is closing) the connection. */
  get closing(): boolean {
    return this.ended || this.closeCode !== undefined;
  }

  write(bytes: Buffer): void {
    if (!this.ended) this.socket.write(bytes);
  }

  /** Waits for a text frame from the server that `predicate` accepts. */
  async waitForText(predicate: (text: string) => boolean, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.texts.find(predicate);
      if (found !== undefined) return found;
      if (this.ended || Date.now() > deadline) throw new Error(`no such reply (ended: ${this.ended}, close code ${this.closeCode})`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Resolves with the close code once the server closed or ended the connection (undefined: no close frame). */
  async waitForEnd(timeoutMs = 30_000): Promise<number | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended && this.closeCode === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    if (!this.ended && this.closeCode === undefined) throw new Error('the server did not close the connection in time');
    return this.closeCode;
  }

  destroy(): void {
    this.socket.destroy();
    this.ended = true;
  }

  private readFrames(): void {
    for (;;) {
      if (this.buffer.length < 2) return;
      const opcode = this.buffer[0]! & 0x0f;
      let length = this.buffer[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffer.length < 4) return;
        length = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.buffer.length < 10) return;
        length = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.buffer.length < offset + length) return;
      const payload = this.buffer.subarray(offset, offset + length);
      this.buffer = this.buffer.subarray(offset + length);
      this.framesReceived++;
      if (opcode === 1) {
        this.texts.push(payload.toString('utf8'));
        if (this.texts.length > 50) this.texts.shift();
      }
      if (opcode === 10) this.pongs++;
      if (opcode === 8 && this.closeCode === undefined) {
        this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        // As a client must: answer the close, so the server ends the TCP connection at once.
        this.socket.end(encodeFrame({ opcode: 8, payload: Buffer.from([0x03, 0xe8]) }));
      }
    }
  }
}
