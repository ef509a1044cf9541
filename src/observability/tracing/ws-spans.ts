import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import type { IncomingHttpHeaders } from 'node:http';
import type { Tick } from '../../domain/tick.js';
import { carriedContext } from './carrier.js';
import { tracer, tracingState } from './state.js';

/**
 * Spans of the WebSocket gateway. A connection is one trace: `ws connect` (a child of the
 * upgrade request's `traceparent` header when the client sent one), then a span per control
 * message (`ws subscribe`, `ws auth`, …) and `ws disconnect`, all children of the connect span, so
 * what one client did is read in one place however long it stayed. Ticks have their own traces;
 * `ws send` ends a sampled tick's trace where the gateway writes it out.
 */
const connections = new WeakMap<object, { readonly context: Context; readonly at: number }>();

/** Starts and ends `ws connect` for an accepted connection; its context parents the connection's later spans. */
export function traceConnect(session: object, attributes: { id: number; ip: string; symbols: number }, headers: IncomingHttpHeaders): void {
  if (!tracingState.on) return;
  const parent = propagation.extract(ROOT_CONTEXT, headers);
  const span = tracer().startSpan('ws connect', { kind: SpanKind.SERVER, attributes: { 'ws.connection.id': attributes.id, 'network.peer.address': attributes.ip, 'ws.symbols.initial': attributes.symbols } }, parent);
  connections.set(session, { context: trace.setSpan(parent, span), at: Date.now() });
  span.end();
}

/** `ws disconnect`, with how long the connection lasted. */
export function traceDisconnect(session: object, id: number): void {
  const connection = tracingState.on ? connections.get(session) : undefined;
  if (!connection) return;
  tracer().startSpan('ws disconnect', { kind: SpanKind.SERVER, attributes: { 'ws.connection.id': id, 'ws.connection.seconds': (Date.now() - connection.at) / 1000 } }, connection.context).end();
  connections.delete(session);
}

/** Runs the handling of one control message in a `ws <action>` span of its connection's trace. */
export async function traceControl<R>(session: object, action: string, id: number, handle: () => Promise<R>): Promise<R> {
  const parent = tracingState.on ? connections.get(session)?.context : undefined;
  if (!parent) return handle();
  const span = tracer().startSpan(`ws ${action}`, { kind: SpanKind.SERVER, attributes: { 'ws.connection.id': id, 'ws.action': action } }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), handle);
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
  }
}

export interface SendSpan {
  end(): void;
}

/**
 * `ws send` for a sampled tick: started when the gateway queues the tick's frame for its
 * subscribers, ended when the dispatcher has written it (the next flush). Undefined (and nothing
 * done) for a tick that carries no sampled context.
 */
export function startSendSpan(tick: Tick, sessions: Iterable<unknown>, conflated: number): SendSpan | undefined {
  const parent = carriedContext(tick);
  if (!parent) return undefined;
  const recipients = sessions instanceof Set ? sessions.size : [...sessions].length;
  const span: Span = tracer().startSpan(
    'ws send',
    { kind: SpanKind.PRODUCER, attributes: { 'tick.symbol': tick.symbol, 'tick.seq': tick.seq, 'ws.recipients': recipients, 'ws.conflated': conflated } },
    trace.setSpanContext(ROOT_CONTEXT, parent),
  );
  return span;
}
