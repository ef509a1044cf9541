import { connect, type Socket } from 'node:net';

export interface RawUpgrade {
  /** The answer's status line (`HTTP/1.1 404 UNKNOWN_SYMBOL`, `HTTP/1.1 101 …`), or undefined if none came. */
  readonly statusLine: string | undefined;
  /** Everything the server sent before we reset. */
  readonly answer: string;
}

export interface RawUpgradeOptions {
  readonly headers?: Record<string, string>;
  /** Reset as soon as the request is written, without waiting for an answer. */
  readonly resetAtOnce?: boolean;
  /** When waiting for the answer: reset once it contains this (e.g. a close frame after a 101). */
  readonly until?: (answer: Buffer) => boolean;
}

/**
 * Sends a WebSocket upgrade request over a bare TCP socket, waits for the answer (or not), then
 * closes with a TCP reset (`resetAndDestroy`: SO_LINGER 0), the way some clients abandon a
 * refused upgrade. The socket is always destroyed when this settles.
 */
export function upgradeThenReset(port: number, path: string, options: RawUpgradeOptions = {}): Promise<RawUpgrade> {
  const headers = {
    Host: `127.0.0.1:${port}`,
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version': '13',
    ...options.headers,
  };
  const request = `GET ${path} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let answer = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new Error(`no answer to ${path} in time`)), 30_000);
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      if (!socket.destroyed) socket.resetAndDestroy();
      const text = answer.toString('latin1');
      if (error) reject(error);
      else resolve({ statusLine: text === '' ? undefined : text.split('\r\n')[0], answer: text });
    };
    socket.on('error', (error) => finish(error));
    socket.on('connect', () => {
      socket.write(request);
      if (options.resetAtOnce) finish();
    });
    socket.on('data', (chunk: Buffer) => {
      answer = Buffer.concat([answer, chunk]);
      const headEnd = answer.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      if (!options.until || options.until(answer)) finish();
    });
    socket.on('end', () => finish());
  });
}
