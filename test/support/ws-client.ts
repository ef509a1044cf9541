import WebSocket from 'ws';
import { decodeServerMessage, ticksOf, type WireTick } from '../../src/protocol/index.js';
import { waitFor } from './wait.js';

export type TickMessage = WireTick;

/** Loosely typed on purpose: tests read fields of messages they are checking the shape of. */
export type ServerMessage = TickMessage | ({ type: string } & Record<string, unknown>);

/** A WebSocket client for tests: records every message and how the connection ended. */
export class TestClient {
  readonly messages: ServerMessage[] = [];
  closed: { code: number; reason: string } | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = String(data);
      const parsed = decodeServerMessage(text);
      if (!parsed) throw new Error(`the server sent a frame that is not a message: ${text.slice(0, 200)}`);
      if (parsed.type === 'ticks') this.messages.push(...ticksOf(parsed));
      else this.messages.push(parsed as ServerMessage);
    });
    ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
    ws.on('error', () => {});
  }

  static connect(url: string, options: WebSocket.ClientOptions = {}): Promise<TestClient> {
    const ws = new WebSocket(url, options);
    const client = new TestClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}: ${body}`), { status: res.statusCode, body })));
      });
      ws.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  ticks(symbol?: string): TickMessage[] {
    return this.messages.filter((m): m is TickMessage => m.type === 'tick' && (symbol === undefined || m.symbol === symbol));
  }

  controls(type?: string): ServerMessage[] {
    return this.messages.filter((m) => m.type !== 'tick' && (type === undefined || m.type === type));
  }

  waitForMessage(predicate: (m: ServerMessage) => boolean, what: string, timeoutMs?: number): Promise<ServerMessage> {
    return waitFor(() => this.messages.find(predicate), what, timeoutMs);
  }

  waitForTicks(count: number, symbol?: string, timeoutMs?: number): Promise<TickMessage[]> {
    return waitFor(() => (this.ticks(symbol).length >= count ? this.ticks(symbol) : undefined), `${count} ticks${symbol ? ` of ${symbol}` : ''}`, timeoutMs);
  }

  waitForClose(timeoutMs?: number): Promise<{ code: number; reason: string }> {
    return waitFor(() => this.closed, 'the connection to close', timeoutMs);
  }

  close(): void {
    this.ws.close();
  }
}

/** Fails with a readable message if consecutive seqs are not each exactly one more than the last. */
export function gaps(ticks: readonly TickMessage[]): string[] {
  const problems: string[] = [];
  for (let i = 1; i < ticks.length; i++) {
    if (ticks[i]!.seq !== ticks[i - 1]!.seq + 1) problems.push(`${ticks[i]!.symbol}: ${ticks[i - 1]!.seq} → ${ticks[i]!.seq}`);
  }
  return problems;
}
