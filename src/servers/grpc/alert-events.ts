import { Metadata, status, type handleServerStreamingCall, type ServerWritableStream, type ServiceError } from '@grpc/grpc-js';
import type { TokenService } from '../../domain/accounts/tokens.js';
import { userChannel, type UserEvent } from '../../domain/accounts/user-events.js';
import { TickstreamError } from '../../domain/errors.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import type { PubSub, Unsubscribe } from '../../ports/pubsub.js';
import { callerOf } from './caller.js';
import { alertEventMessage } from './messages.js';
import { ERROR_CODE_TRAILER, toGrpcError } from './status.js';

export interface AlertEventsDeps {
  readonly tokens: TokenService;
  /** `user.<id>` events; undefined when this process does not run the gateway (nothing started it). */
  readonly userEvents: PubSub<UserEvent> | undefined;
  /** Unsent alert events a stream may hold before it is ended with SLOW_CONSUMER (never dropped). */
  readonly maxQueued: number;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

const METHOD = 'StreamAlertEvents';

/**
 * Alerts.StreamAlertEvents: the caller's fired alerts, from the moment the call's initial metadata
 * arrives (sent once the `user.<id>` subscription is confirmed), as the WebSocket's `alert`
 * messages. Alert events are never conflated; a stream that leaves `maxQueued` of them unread is
 * ended with RESOURCE_EXHAUSTED SLOW_CONSUMER instead of holding more.
 */
export class AlertEventStreams {
  private readonly open = new Set<() => void>();
  /** How to end each open call's bookkeeping (once), by call. */
  private readonly finishers = new WeakMap<object, (code: string) => void>();

  constructor(private readonly deps: AlertEventsDeps) {}

  readonly handler: handleServerStreamingCall<unknown, unknown> = (call) => {
    call.on('error', (error) => this.deps.logger.debug({ err: error }, 'gRPC alert stream error'));
    this.serve(call).catch((error: unknown) => this.end(call, error));
  };

  private async serve(call: ServerWritableStream<unknown, unknown>): Promise<void> {
    const { userEvents, metrics } = this.deps;
    const user = await callerOf(call.metadata, this.deps.tokens);
    if (!userEvents) {
      const error = { code: status.UNIMPLEMENTED, details: 'Alert events stream from processes that run the gateway role.' } as ServiceError;
      metrics.grpcCalls.inc({ method: METHOD, code: 'UNIMPLEMENTED' });
      return void call.emit('error', error);
    }
    let queue: object[] = [];
    let blocked = false;
    let ended = false;
    const write = (message: object): void => {
      if (!call.write(message)) blocked = true;
    };
    call.on('drain', () => {
      blocked = false;
      const pending = queue;
      queue = [];
      for (const m of pending) {
        if (blocked) queue.push(m);
        else write(m);
      }
    });
    const unsubscribe: Unsubscribe = await userEvents.subscribe(userChannel(user.id), (event) => {
      if (ended || event.type !== 'alert' || event.userId !== user.id) return;
      metrics.alertsDelivered.inc();
      const message = alertEventMessage(event);
      if (!blocked) return write(message);
      queue.push(message);
      if (queue.length > this.deps.maxQueued) this.end(call, new TickstreamError('SLOW_CONSUMER'));
    });
    const finish = (code: string): void => {
      if (ended) return;
      ended = true;
      queue = [];
      this.open.delete(stop);
      metrics.grpcStreams.dec({ method: METHOD });
      metrics.grpcCalls.inc({ method: METHOD, code });
      unsubscribe().catch((error: unknown) => this.deps.logger.warn({ err: error }, 'leaving a user channel failed'));
    };
    const stop = (): void => this.end(call, new TickstreamError('NOT_READY', 'The server is shutting down.'));
    metrics.grpcStreams.inc({ method: METHOD });
    this.open.add(stop);
    call.on('cancelled', () => finish('CANCELLED'));
    call.on('finish', () => finish('OK'));
    call.on('close', () => finish('OK'));
    this.finishers.set(call, finish);
    if (call.cancelled) return finish('CANCELLED');
    // Subscribed: the client may rely on every alert from now on.
    call.sendMetadata(new Metadata());
  }

  private end(call: ServerWritableStream<unknown, unknown>, error: unknown): void {
    const { error: status, internal } = toGrpcError(error);
    if (internal) this.deps.logger.error({ err: error }, 'gRPC alert stream failed');
    const code = String(status.metadata?.get(ERROR_CODE_TRAILER)[0]);
    const finish = this.finishers.get(call);
    if (finish) finish(code);
    else this.deps.metrics.grpcCalls.inc({ method: METHOD, code });
    if (call.cancelled || call.writableEnded) return;
    call.emit('error', status as ServiceError);
  }

  /** Ends every alert stream with UNAVAILABLE. */
  stop(): void {
    for (const stop of [...this.open]) stop();
  }
}
