import { request } from 'node:http';
import { connect, type Socket } from 'node:net';

/**
 * A raw TCP client that sends an HTTP request as slowly as an attacker would, and records what
 * the server answered and whether the server closed the connection.
 */
export class SlowClient {
  answer = '';
  closed = false;
  private trickle: NodeJS.Timeout | undefined;
  private readonly socket: Socket;
  readonly connected: Promise<void>;

  private constructor(port: number, localAddress?: string) {
    this.socket = connect({ port, host: '127.0.0.1', localAddress });
    this.socket.setEncoding('latin1');
    this.socket.on('data', (chunk: string) => (this.answer += chunk));
    // A reset from the server counts as closed too; the listener keeps it from being unhandled.
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => {
      this.closed = true;
      clearInterval(this.trickle);
    });
    this.connected = new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
  }

  /** Slowloris: a request line, then one more header line every `everyMs`, never the blank line that ends the headers. */
  static async slowHeaders(port: number, everyMs: number, localAddress?: string): Promise<SlowClient> {
    const client = new SlowClient(port, localAddress);
    await client.connected;
    client.socket.write(`GET /api/v1/quotes/AAPL HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
    let n = 0;
    client.trickle = setInterval(() => client.socket.writable && client.socket.write(`X-Slow-${n++}: ${n}\r\n`), everyMs);
    return client;
  }

  /** Slow body: complete headers announcing a body, then one byte of it every `everyMs`. */
  static async slowBody(port: number, everyMs: number): Promise<SlowClient> {
    const client = new SlowClient(port);
    await client.connected;
    client.socket.write(`POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{`);
    client.trickle = setInterval(() => client.socket.writable && client.socket.write(' '), everyMs);
    return client;
  }

  /** The status of the answer, if one came. */
  get status(): number | undefined {
    const match = /^HTTP\/1\.1 (\d{3}) /.exec(this.answer);
    return match ? Number(match[1]) : undefined;
  }

  /** The `error.code` of the answer's JSON body, if one came. */
  get code(): string | undefined {
    const body = this.answer.slice(this.answer.indexOf('\r\n\r\n') + 4);
    try {
      return (JSON.parse(body) as { error?: { code?: string } }).error?.code;
    } catch {
      return undefined;
    }
  }

  header(name: string): string | undefined {
    const head = this.answer.slice(0, this.answer.indexOf('\r\n\r\n'));
    return new RegExp(`^${name}: (.*)$`, 'im').exec(head)?.[1]?.trim();
  }

  destroy(): void {
    clearInterval(this.trickle);
    this.socket.destroy();
  }
}

/** A plain GET from a chosen local address (127.0.0.x), on a fresh connection: status and body. */
export function getFrom(port: number, path: string, localAddress: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, localAddress, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
