import WebSocket from 'ws';
import { RepeatFilter } from '../../domain/ingest/repeat-filter.js';
import type { Logger } from '../../observability/logger.js';
import type { IngestSink, IngestSource, SourceStatus, SourceTrade } from '../../ports/ingest-source.js';
import { backoffDelay } from '../../domain/backoff.js';
import { errorKind, parseFinnhubMessage, readTrade, subscribeMessage } from './finnhub-protocol.js';

export interface FinnhubSourceOptions {
  readonly url: string;
  readonly apiKey: string;
  /** Finnhub symbol → tickstream symbol. */
  readonly symbols: ReadonlyMap<string, string>;
  readonly reconnectMaxMs: number;
  readonly logger: Logger;
}

const RECONNECT_BASE_MS = 500;

/**
 * INGEST_SOURCE=finnhub: live trades from Finnhub's WebSocket (protocol in finnhub-protocol.ts).
 * Reconnects with jittered exponential backoff and subscribes again; trades re-sent after a
 * reconnect are dropped. A refused key stops it (retrying cannot help); a rate limit makes it wait
 * the longest backoff (or the provider's Retry-After). Both show on `/ready` and in the log.
 */
export class FinnhubSource implements IngestSource {
  readonly name = 'finnhub';
  private state: SourceStatus = { state: 'connecting' };
  private ws: WebSocket | undefined;
  private sink: IngestSink | undefined;
  private attempt = 0;
  private connections = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Batches handed to the sink one after the other, in arrival order. */
  private delivering: Promise<void> = Promise.resolve();
  private readonly repeats = new RepeatFilter();

  constructor(private readonly options: FinnhubSourceOptions) {}

  async start(sink: IngestSink): Promise<void> {
    this.sink = sink;
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.ws?.close(1000);
    await this.delivering;
  }

  status(): SourceStatus {
    return this.state;
  }

  private get log(): Logger {
    return this.options.logger;
  }

  private connect(): void {
    if (this.stopped) return;
    const url = new URL(this.options.url);
    url.searchParams.set('token', this.options.apiKey);
    const ws = new WebSocket(url, { handshakeTimeout: 10_000 });
    this.ws = ws;
    let refused = false;
    ws.on('error', (error) => this.log.warn({ err: { message: error.message } }, 'finnhub connection error'));
    ws.on('unexpected-response', (_request, response) => {
      refused = true;
      const status = response.statusCode ?? 0;
      response.resume();
      ws.terminate();
      if (status === 401 || status === 403) return this.fail('auth', `Finnhub refused the API key (HTTP ${status}); not retrying: check FINNHUB_API_KEY`);
      if (status === 429) return this.fail('rate', `Finnhub rate limit (HTTP 429)`, Number(response.headers['retry-after']) * 1000);
      this.retry(`Finnhub answered the upgrade with HTTP ${status}`);
    });
    ws.on('open', () => {
      this.connections++;
      if (this.connections > 1) this.sink!.reconnected();
      this.attempt = 0;
      this.repeats.nextConnection();
      this.state = { state: 'up' };
      for (const symbol of this.options.symbols.keys()) ws.send(subscribeMessage(symbol));
      this.log.info({ symbols: [...this.options.symbols.keys()], connection: this.connections }, 'finnhub connected; subscribed');
    });
    ws.on('message', (data) => this.onMessage(String(data)));
    ws.on('close', (code, reason) => {
      if (refused || this.stopped || this.state.state === 'down') return;
      this.retry(`connection closed (${code}${reason.length > 0 ? ` ${reason.toString()}` : ''})`);
    });
  }

  private onMessage(text: string): void {
    const sink = this.sink!;
    sink.message();
    const message = parseFinnhubMessage(text);
    if (!message) {
      sink.rejected('MALFORMED');
      this.log.debug({ frame: text.slice(0, 200) }, 'finnhub: not a documented message; skipped');
      return;
    }
    if (message.type === 'ping') return;
    if (message.type === 'error') {
      const kind = errorKind(message.msg);
      if (kind === 'other') {
        sink.rejected('PROVIDER_ERROR');
        this.log.warn({ providerMessage: message.msg }, 'finnhub reported an error');
      } else {
        this.fail(kind, `Finnhub: ${message.msg}`);
        this.ws?.terminate();
      }
      return;
    }
    const trades: SourceTrade[] = [];
    let malformed = 0;
    let repeats = 0;
    let unknown = 0;
    for (const entry of message.data) {
      const t = readTrade(entry);
      if (!t) {
        malformed++;
        continue;
      }
      const symbol = this.options.symbols.get(t.s);
      if (symbol === undefined) {
        unknown++;
        continue;
      }
      const trade = { symbol, price: t.p, size: t.v, ts: t.t };
      if (this.repeats.isRepeat(trade)) repeats++;
      else trades.push(trade);
    }
    if (malformed > 0) sink.rejected('MALFORMED', malformed);
    if (unknown > 0) sink.rejected('UNKNOWN_SYMBOL', unknown);
    if (repeats > 0) sink.rejected('DUPLICATE', repeats);
    if (trades.length > 0) this.delivering = this.delivering.then(() => sink.trades(trades));
  }

  private retry(why: string): void {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt++, { initialMs: RECONNECT_BASE_MS, maxMs: this.options.reconnectMaxMs, factor: 2, jitter: 0.5 });
    this.state = { state: 'connecting', reason: why };
    this.log.warn({ retryInMs: delay, attempt: this.attempt }, `finnhub: ${why}; reconnecting`);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  private fail(kind: 'auth' | 'rate', why: string, retryAfterMs = NaN): void {
    this.state = { state: 'down', reason: why };
    if (kind === 'auth') {
      this.log.error(why);
      return;
    }
    const wait = Math.max(this.options.reconnectMaxMs, Number.isFinite(retryAfterMs) ? retryAfterMs : 0);
    this.log.error({ retryInMs: wait }, `${why}; waiting before trying again`);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), wait);
  }
}
