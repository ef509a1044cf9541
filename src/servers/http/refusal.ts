import type { Duplex } from 'node:stream';
import { ERROR_CODES, type ErrorCode } from '../../domain/errors.js';

/**
 * How long a refused socket may stay half-closed waiting for its peer to close. A peer that never
 * closes (a slowloris) is dropped after this.
 */
const LINGER_MS = 2_000;

const answered = new WeakSet<Duplex>();

/**
 * Answers on a raw socket (outside Fastify: a refused connection, an upgrade, a client error) with
 * an HTTP error in the documented JSON shape, then closes it in a way the peer can read the answer.
 *
 * Destroying the socket right after writing would be quicker, but if the peer's request has bytes
 * we did not read, the kernel answers the close with a reset, and a reset can discard the answer
 * from the peer's receive buffer before it reads it. So: end() (our FIN after the answer), keep
 * reading and discarding what the peer still sends, and let the peer close; a timer destroys the
 * socket if it does not. Idempotent: Node may report several errors for one socket.
 */
export function answerAndClose(socket: Duplex, code: ErrorCode, message: string = ERROR_CODES[code].text, headers: Readonly<Record<string, string>> = {}): void {
  if (answered.has(socket)) return;
  answered.add(socket);
  // A reset while we linger is expected; without a listener it would be an uncaught error.
  socket.on('error', ignore);
  if (socket.destroyed) return;
  const status = ERROR_CODES[code].status;
  const body = JSON.stringify({ error: { code, message } });
  const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  const head = `HTTP/1.1 ${status} ${code}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}Connection: close\r\n\r\n`;
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  if (socket.writable) socket.end(head + body);
  socket.resume();
}

function ignore(): void {}
