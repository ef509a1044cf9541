import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface StandinTrade {
  s: string;
  p: number;
  t: number;
  v: number;
  c?: string[];
}

/**
 * A stand-in for Finnhub's trades WebSocket on 127.0.0.1, speaking its documented protocol
 * (`?token=` on the upgrade, `{"type":"subscribe","symbol"}`, `{"type":"trade","data":[…]}`,
 * `{"type":"ping"}`), with the misbehaviours tests need: a bad token refused with HTTP 401, a
 * rate limit (HTTP 429), dropped connections, trades re-sent on a new connection, malformed frames.
 */
export class FinnhubStandin {
  /** Upgrade attempts, refused ones included. */
  attempts = 0;
  /** Every subscribe received, in order, per connection number (1-based). */
  readonly subscriptions: { connection: number; symbol: string }[] = [];
  /** Refuse every upgrade with this status (401 bad key, 429 rate limit). */
  refuseWith: number | undefined;
  /** Trades a new connection gets again right after subscribing (a provider replaying its recent buffer). */
  resendOnConnect: StandinTrade[] = [];
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<{ ws: WebSocket; connection: number; symbols: Set<string> }>();
  private connections = 0;

  private constructor(readonly validToken: string) {
    this.server = createServer((_req, res) => res.writeHead(404).end());
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (req, socket, head) => {
      socket.on('error', () => {});
      this.attempts++;
      const token = new URL(req.url ?? '/', 'http://x').searchParams.get('token');
      const status = this.refuseWith ?? (token === this.validToken ? undefined : 401);
      if (status !== undefined) {
        socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Too Many Requests'}\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{"error":"${status === 401 ? 'Invalid API key' : 'API limit reached'}"}`);
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    });
  }

  static async start(validToken = 'good-token'): Promise<FinnhubStandin> {
    const standin = new FinnhubStandin(validToken);
    await new Promise<void>((resolve) => standin.server.listen(0, '127.0.0.1', resolve));
    return standin;
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get openConnections(): number {
    return this.sockets.size;
  }

  /** Sends trades, in one message, to every connection subscribed to their symbol. */
  trade(trades: StandinTrade[]): void {
    for (const socket of this.sockets) {
      const mine = trades.filter((t) => socket.symbols.has(t.s));
      if (mine.length > 0) socket.ws.send(JSON.stringify({ type: 'trade', data: mine }));
    }
  }

  /** Sends a raw frame to every connection. */
  raw(text: string): void {
    for (const socket of this.sockets) socket.ws.send(text);
  }

  /** Drops every connection without a close frame. */
  drop(): void {
    for (const socket of this.sockets) socket.ws.terminate();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.ws.terminate();
    this.wss.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(ws: WebSocket): void {
    const socket = { ws, connection: ++this.connections, symbols: new Set<string>() };
    this.sockets.add(socket);
    ws.on('error', () => {});
    ws.on('close', () => this.sockets.delete(socket));
    ws.send(JSON.stringify({ type: 'ping' }));
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; symbol: string };
      if (message.type !== 'subscribe') return;
      socket.symbols.add(message.symbol);
      this.subscriptions.push({ connection: socket.connection, symbol: message.symbol });
      const again = this.resendOnConnect.filter((t) => t.s === message.symbol);
      if (again.length > 0) ws.send(JSON.stringify({ type: 'trade', data: again }));
    });
  }
}
