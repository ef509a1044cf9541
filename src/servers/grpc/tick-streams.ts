import type { handleServerStreamingCall, ServerWritableStream, ServiceError } from '@grpc/grpc-js';
import { TickstreamError } from '../../domain/errors.js';
import type { Tick } from '../../domain/tick.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import type { ConnectionLimiter } from '../../ports/connection-limiter.js';
import type { PriceStore } from '../../ports/price-store.js';
import type { PubSub } from '../../ports/pubsub.js';
import type { GatewayAuth } from '../ws/access.js';
import { SubscriptionBook } from '../ws/subscriptions.js';
import type { FeedSink } from '../ws/symbol-feed.js';
import { callerOf, peerAddress } from './caller.js';
import { ERROR_CODE_TRAILER, grpcError, toGrpcError } from './status.js';
import { TickStream } from './tick-stream.js';
import { AddressCounts } from '../address-counts.js';

export interface TickStreamLimits {
  readonly maxStreams: number;
  readonly maxStreamsPerIp: number;
  readonly maxSymbols: number;
  readonly slowBytes: number;
  readonly slowCloseMs: number;
}

export interface TickStreamsDeps {
  readonly store: PriceStore;
  readonly pubsub: PubSub<Tick>;
  readonly universe: ReadonlySet<string>;
  readonly onSymbolAdded?: (listener: (symbol: string) => void) => void;
  readonly connectionLimiter?: ConnectionLimiter;
  /** WS_REQUIRE_AUTH applies here too: then a stream needs a valid bearer token. */
  readonly auth?: GatewayAuth;
  readonly limits: TickStreamLimits;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

interface StreamTicksRequest {
  symbols: string[];
  since: Record<string, number>;
  epoch: string;
}

const METHOD = 'StreamTicks';

/**
 * MarketData.StreamTicks: the WebSocket gateway's join rules (SubscriptionBook: hold live ticks,
 * confirm the upstream subscription, read the snapshot or the replay after `since`, drop what both
 * carry) with the same epoch check, limits and slow-consumer handling, on gRPC server streams.
 */
export class TickStreams implements FeedSink<TickStream> {
  private readonly book: SubscriptionBook<TickStream>;
  private readonly streams = new Set<TickStream>();
  private readonly byCall = new WeakMap<object, TickStream>();
  private readonly perIp = new AddressCounts();
  private nextId = 1;
  private stopping = false;

  constructor(private readonly deps: TickStreamsDeps) {
    this.book = new SubscriptionBook<TickStream>(deps.universe, deps.limits.maxSymbols, deps.store, deps.pubsub, this);
  }

  async start(): Promise<void> {
    await this.book.refreshEpoch();
    this.deps.pubsub.onResubscribed(() => this.book.resyncAll());
    this.deps.onSymbolAdded?.((symbol) => {
      for (const stream of this.streams) if (stream.followsAll && !stream.closed) this.join(stream, [symbol], {}, undefined).catch((error: unknown) => this.fail(stream, error));
    });
  }

  readonly handler: handleServerStreamingCall<StreamTicksRequest, unknown> = (call) => {
    call.on('error', (error) => this.deps.logger.debug({ err: error }, 'gRPC tick stream error'));
    this.open(call).catch((error: unknown) => this.end(call, this.byCall.get(call), error));
  };

  private async open(call: ServerWritableStream<StreamTicksRequest, unknown>): Promise<void> {
    const { limits, auth } = this.deps;
    if (this.stopping) throw new TickstreamError('TOO_MANY_CONNECTIONS', 'The server is shutting down.');
    if (auth?.required) await callerOf(call.metadata, auth.tokens);
    const ip = peerAddress(call.getPeer());
    if (this.streams.size >= limits.maxStreams) throw new TickstreamError('TOO_MANY_CONNECTIONS');
    if (this.perIp.of(ip) >= limits.maxStreamsPerIp) throw new TickstreamError('TOO_MANY_CONNECTIONS_FROM_IP');
    if (this.deps.connectionLimiter && !(await this.deps.connectionLimiter.allow(ip))) {
      throw new TickstreamError('RATE_LIMITED', 'Too many new streams from this address; retry later.');
    }
    if (call.cancelled) return;

    const request = call.request;
    const asked = request.symbols.map((s) => s.trim().toUpperCase()).filter((s) => s !== '');
    const requested = asked.length === 0 ? ['*'] : asked;
    const { unknown, wildcard } = this.book.resolve(requested);
    const symbols = wildcard ? ['*'] : requested.filter((s) => !unknown.includes(s));
    if (symbols.length === 0) throw new TickstreamError('UNKNOWN_SYMBOL', `Unknown symbol(s): ${unknown.slice(0, 20).join(', ')}.`);
    const since: Record<string, number> = {};
    for (const [symbol, seq] of Object.entries(request.since)) {
      const s = symbol.toUpperCase();
      if (!Number.isSafeInteger(seq) || seq < 0) throw new TickstreamError('BAD_REQUEST', `since.${s.slice(0, 32)} must be a seq of 0 or more.`);
      if (wildcard ? this.deps.universe.has(s) : symbols.includes(s)) since[s] = seq;
    }

    const stream = new TickStream(this.nextId++, ip, call as ServerWritableStream<unknown, unknown>, wildcard, () => this.book.epoch, {
      slowBytes: limits.slowBytes,
      slowCloseMs: limits.slowCloseMs,
      onConflated: (n) => this.deps.metrics.grpcTicksConflated.inc(n),
      onTooSlow: (s) => {
        this.deps.metrics.grpcSlowConsumerCloses.inc();
        this.deps.logger.info({ stream: s.id, ip: s.ip }, 'ending slow gRPC tick stream');
        this.end(call, s, new TickstreamError('SLOW_CONSUMER'));
      },
    });
    this.streams.add(stream);
    this.byCall.set(call, stream);
    this.perIp.add(ip);
    this.deps.metrics.grpcStreams.inc({ method: METHOD });
    call.on('cancelled', () => this.forget(stream, 'CANCELLED'));
    call.on('finish', () => this.forget(stream, undefined));
    await this.join(stream, symbols, since, request.epoch === '' ? undefined : request.epoch, unknown);
  }

  /** Subscribes the stream (the request, or a symbol that joined the universe) and queues what it must get first. */
  private join(stream: TickStream, symbols: readonly string[], since: Record<string, number>, epoch: string | undefined, unknown?: readonly string[]): Promise<void> {
    return stream.work.run(async () => {
      if (stream.closed) return;
      const outcome = await this.book.subscribe(stream, symbols, since, epoch);
      if (!outcome.ok) throw new TickstreamError(outcome.code, outcome.message);
      if (stream.closed) return;
      if (unknown !== undefined) {
        stream.control({ subscribed: { symbols: stream.subscribedSymbols(), epoch: outcome.epoch, recovered: outcome.recovered, unknown_symbols: unknown } });
      }
      for (const [symbol, ticks] of outcome.first) stream.release(symbol, ticks);
    });
  }

  delivered(tick: Tick, streams: Iterable<TickStream>): void {
    for (const stream of streams) stream.offer(tick);
  }

  gapFilled(): void {
    this.deps.metrics.wsGapFills.inc();
  }

  failed(symbol: string, error: unknown): void {
    this.deps.logger.error({ err: error, symbol }, 'reading the store for a gRPC symbol feed failed');
  }

  private fail(stream: TickStream, error: unknown): void {
    this.end(stream.call as ServerWritableStream<StreamTicksRequest, unknown>, stream, error);
  }

  /** Ends a call with the error's status (ours keep their stable code). */
  private end(call: ServerWritableStream<StreamTicksRequest, unknown>, stream: TickStream | undefined, error: unknown): void {
    const { error: status, internal } = toGrpcError(error);
    if (internal) this.deps.logger.error({ err: error }, 'gRPC tick stream failed');
    if (stream) this.forget(stream, String(status.metadata?.get(ERROR_CODE_TRAILER)[0]));
    else this.deps.metrics.grpcCalls.inc({ method: METHOD, code: String(status.metadata?.get(ERROR_CODE_TRAILER)[0]) });
    if (call.cancelled || call.writableEnded) return;
    call.emit('error', status as ServiceError);
  }

  private forget(stream: TickStream, code: string | undefined): void {
    if (!this.streams.delete(stream)) return;
    stream.close();
    this.perIp.remove(stream.ip);
    this.book.leaveAll(stream);
    this.deps.metrics.grpcStreams.dec({ method: METHOD });
    this.deps.metrics.grpcCalls.inc({ method: METHOD, code: code ?? 'OK' });
  }

  /** Ends every stream with UNAVAILABLE (clients reconnect elsewhere, resuming with `since`). */
  stop(): void {
    this.stopping = true;
    for (const stream of [...this.streams]) {
      const call = stream.call as ServerWritableStream<StreamTicksRequest, unknown>;
      this.forget(stream, 'NOT_READY');
      if (!call.cancelled && !call.writableEnded) call.emit('error', { ...grpcError('NOT_READY', 'The server is shutting down; resume elsewhere with since and epoch.') } as ServiceError);
    }
  }
}
