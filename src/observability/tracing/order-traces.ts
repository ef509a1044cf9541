import { context, ROOT_CONTEXT, SpanKind, trace, type SpanContext } from '@opentelemetry/api';
import { carriedContext } from './carrier.js';
import { sampledContext, tracer, tracingState } from './state.js';

/** Open orders whose trace is remembered at most; past it the oldest is forgotten (its fills start no span). */
const MAX_REMEMBERED = 10_000;

/**
 * Keeps an order's trace open until it fills. An order is accepted in the trace of its
 * `POST /api/v1/orders` (carried through the order queue), but filled later by a tick, in that
 * tick's work: the fill is made a child of the order's trace, with a link to the tick's, so one
 * trace shows an order from the REST call to its fill. Only sampled orders are remembered.
 */
export class OrderTraces {
  private readonly contexts = new Map<number, SpanContext>();

  /** Remembers the active (sampled) span as the order's trace. */
  remember(orderId: number): void {
    if (!tracingState.on) return;
    const span = trace.getActiveSpan();
    const sampled = span && sampledContext(span);
    if (!sampled) return;
    if (this.contexts.size >= MAX_REMEMBERED) this.contexts.delete(this.contexts.keys().next().value!);
    this.contexts.set(orderId, sampled);
  }

  forget(orderId: number): void {
    if (this.contexts.size > 0) this.contexts.delete(orderId);
  }

  /**
   * A fill decided in a batch with other orders' (one transaction for many): an `order fill` span
   * in the order's trace, if it has one, from the batch's start (`startTime`, epoch ms) to now;
   * `note` (its audit line, its metrics) runs inside it.
   */
  filled(orderId: number, tick: object, startTime: number, note: () => void): void {
    const parent = tracingState.on ? this.contexts.get(orderId) : undefined;
    if (!parent) return note();
    const tickContext = carriedContext(tick);
    const span = tracer().startSpan(
      'order fill',
      { kind: SpanKind.INTERNAL, startTime, attributes: { 'order.id': orderId }, links: tickContext ? [{ context: tickContext }] : [] },
      trace.setSpanContext(ROOT_CONTEXT, parent),
    );
    try {
      context.with(trace.setSpan(context.active(), span), note);
    } finally {
      span.end();
    }
  }
}
