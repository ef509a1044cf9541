import WebSocket from 'ws';
import { TickstreamClient, type SocketLike } from '../client/index.js';
import type { WireTick } from '../protocol/index.js';

export interface TailEvents {
  ticks(ticks: readonly WireTick[]): void;
  /** Live (or live again after a reconnect). */
  connected(reconnects: number): void;
  /** Lost; the next attempt is in `delayMs`. */
  disconnected(reason: string, delayMs: number): void;
  /** A resume could not replay what was missed (history no longer reaches back). */
  unrecovered(symbols: readonly string[]): void;
  /** The server's stream epoch changed: its sequence restarted (it was restarted, or its Redis wiped). */
  sequenceRestarted(): void;
  /** Nothing to retry: a bad URL, an unknown symbol. */
  fatal(code: string, message: string): void;
}

/**
 * The terminal's connection: the resumable client (src/client) over `ws`, plus what only a command
 * line needs — the first connection must work (if it cannot, the URL is wrong and that is fatal),
 * and an HTTP refusal of the upgrade is read for its stable error code.
 */
export class TailConnection {
  private readonly client: TickstreamClient;
  private opened = false;
  private finished = false;
  /** Why the current socket failed, as `ws` or the HTTP refusal said. */
  private failure: string | undefined;

  constructor(
    private readonly url: string,
    symbols: readonly string[],
    private readonly events: TailEvents,
  ) {
    this.client = new TickstreamClient({
      url,
      symbols: symbols.length > 0 ? symbols : ['*'],
      create: (socketUrl) => this.open(socketUrl),
      events: {
        ticks: (ticks) => events.ticks(ticks),
        subscribed: () => {
          this.opened = true;
          events.connected(this.client.reconnects);
        },
        status: (status, detail) => {
          if (status !== 'reconnecting' || detail.delayMs === undefined) return;
          const reason = this.failure ?? `closed with ${detail.code}${detail.reason ? ` ${detail.reason}` : ''}`;
          this.failure = undefined;
          if (!this.opened) return this.fail('CONNECT_FAILED', `cannot connect to ${this.url}: ${reason}`);
          events.disconnected(reason, detail.delayMs);
        },
        recovery: (symbol, recovered) => {
          if (!recovered) events.unrecovered([symbol]);
        },
        epochChanged: () => events.sequenceRestarted(),
        rejected: (_symbols, code, message) => this.fail(code, message),
        terminated: (code, reason) => this.fail('CLOSED', `the server closed the stream for good (${code} ${reason})`),
      },
    });
  }

  start(): void {
    this.client.connect();
  }

  stop(): void {
    this.finished = true;
    this.client.disconnect();
  }

  private fail(code: string, message: string): void {
    if (this.finished) return;
    this.stop();
    this.events.fatal(code, message);
  }

  private open(url: string): SocketLike {
    const ws = new WebSocket(url, { handshakeTimeout: 10_000 });
    ws.on('error', (error) => {
      this.failure ??= error.message;
    });
    ws.on('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('error', () => ws.terminate());
      response.on('end', () => {
        let error: { code?: string; message?: string } | undefined;
        try {
          error = (JSON.parse(body) as { error?: { code?: string; message?: string } }).error;
        } catch {
          error = undefined;
        }
        if (!this.opened || error?.code === 'UNKNOWN_SYMBOL') {
          this.fail(error?.code ?? 'BAD_URL', error?.message ?? `${this.url} answered HTTP ${response.statusCode} instead of a WebSocket: is it a tickstream /ws endpoint?`);
        } else this.failure = `HTTP ${response.statusCode}${error?.code ? ` ${error.code}` : ''}`;
        ws.terminate();
      });
    });
    // ws's WebSocket has the members the client uses; its handlers take richer event types.
    return ws as unknown as SocketLike;
  }
}
