import WebSocket from 'ws';
import { decodeServerMessage, encodeClientMessage, ticksOf, type WireTick } from '../protocol/index.js';

export interface TailEvents {
  ticks(ticks: readonly WireTick[]): void;
  /** Live (or live again after a reconnect). */
  connected(reconnects: number): void;
  /** Lost; the next attempt is in `delayMs`. */
  disconnected(reason: string, delayMs: number): void;
  /** A resume could not replay what was missed (history no longer reaches back). */
  unrecovered(symbols: readonly string[]): void;
  /** A symbol's seq went back after a reconnect: the server restarted its sequence. */
  sequenceReset(symbol: string, lastSeq: number, seq: number): void;
  /** Nothing to retry: a bad URL, an unknown symbol. */
  fatal(code: string, message: string): void;
}

const SUBSCRIBE_ID = 'tail';
const INITIAL_MS = 500;
const MAX_MS = 15_000;

/** Exponential from 500 ms to 15 s, with up to half taken off at random so clients spread out. */
export function retryDelay(attempt: number, random: () => number = Math.random): number {
  return Math.round(Math.min(MAX_MS, INITIAL_MS * 2 ** attempt) * (1 - 0.5 * random()));
}

/**
 * The terminal client's connection: subscribes with `since` (the last seq per symbol) on every
 * (re)connection, so the server replays what was missed; reconnects with backoff after a drop.
 * The first connection must work: if it cannot, the URL is wrong and that is fatal.
 */
export class TailConnection {
  private ws: WebSocket | undefined;
  private readonly lastSeq = new Map<string, number>();
  /** The stream epoch `lastSeq` belongs to; a resume names it so the server can tell a restart. */
  private epoch: string | undefined;
  private readonly seenHere = new Set<string>();
  private attempt = 0;
  private opens = 0;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly symbols: readonly string[],
    private readonly events: TailEvents,
  ) {}

  start(): void {
    this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const ws = this.ws;
    this.ws = undefined;
    if (ws && ws.readyState === WebSocket.OPEN) ws.close(1000, 'client closed');
    else ws?.terminate();
  }

  private open(): void {
    const url = new URL(this.url);
    url.searchParams.set('symbols', '');
    url.searchParams.set('batch', '1');
    const ws = new WebSocket(url, { handshakeTimeout: 10_000 });
    this.ws = ws;
    let failure: string | undefined;
    ws.on('open', () => {
      this.opens++;
      this.seenHere.clear();
      const since = Object.fromEntries(this.lastSeq);
      const symbols = this.symbols.length > 0 ? [...this.symbols] : ['*', ...Object.keys(since)];
      const resume = Object.keys(since).length > 0 ? { since, ...(this.epoch ? { epoch: this.epoch } : {}) } : {};
      ws.send(encodeClientMessage({ action: 'subscribe', symbols, ...resume, id: SUBSCRIBE_ID }));
    });
    ws.on('message', (data) => this.received(String(data)));
    ws.on('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => {
        let error: { code?: string; message?: string } | undefined;
        try {
          error = (JSON.parse(body) as { error?: { code?: string; message?: string } }).error;
        } catch {
          error = undefined;
        }
        if (this.opens === 0 || error?.code === 'UNKNOWN_SYMBOL') {
          this.stopped = true;
          ws.terminate();
          this.events.fatal(error?.code ?? 'BAD_URL', error?.message ?? `${this.url} answered HTTP ${response.statusCode} instead of a WebSocket: is it a tickstream /ws endpoint?`);
          return;
        }
        failure = `HTTP ${response.statusCode}${error?.code ? ` ${error.code}` : ''}`;
        ws.terminate();
      });
    });
    ws.on('error', (error) => {
      failure ??= error.message;
    });
    ws.on('close', (code, reason) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      if (this.stopped) return;
      if (this.opens === 0) {
        this.stopped = true;
        this.events.fatal('CONNECT_FAILED', `cannot connect to ${this.url}: ${failure ?? `closed with ${code}`}`);
        return;
      }
      const delayMs = retryDelay(this.attempt++);
      this.events.disconnected(failure ?? `closed with ${code}${reason.length > 0 ? ` ${reason.toString()}` : ''}`, delayMs);
      this.retry = setTimeout(() => this.open(), delayMs);
    });
  }

  private received(text: string): void {
    const message = decodeServerMessage(text);
    if (!message) return;
    switch (message.type) {
      case 'tick':
      case 'ticks':
        return this.ingest(ticksOf(message));
      case 'subscribed': {
        this.attempt = 0;
        this.epoch = message.epoch;
        const lost = Object.entries(message.recovered ?? {}).filter(([, ok]) => !ok).map(([s]) => s);
        for (const s of lost) this.lastSeq.delete(s);
        if (lost.length > 0) this.events.unrecovered(lost);
        this.events.connected(this.opens - 1);
        return;
      }
      case 'error':
        if (message.id === SUBSCRIBE_ID) {
          this.stop();
          this.events.fatal(message.code, message.message);
        }
        return;
    }
  }

  private ingest(ticks: readonly WireTick[]): void {
    const accepted: WireTick[] = [];
    for (const t of ticks) {
      const last = this.lastSeq.get(t.symbol);
      const first = !this.seenHere.has(t.symbol);
      this.seenHere.add(t.symbol);
      if (last !== undefined && t.seq <= last) {
        if (!first) continue;
        this.events.sequenceReset(t.symbol, last, t.seq);
      }
      this.lastSeq.set(t.symbol, t.seq);
      accepted.push(t);
    }
    if (accepted.length > 0) this.events.ticks(accepted);
  }
}
