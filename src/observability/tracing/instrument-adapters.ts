import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import type { Tick } from '../../domain/tick.js';
import type { EventLog, LogRecord } from '../../ports/event-log.js';
import type { PriceStore } from '../../ports/price-store.js';
import type { PubSub } from '../../ports/pubsub.js';
import { carriedContext, carry } from './carrier.js';
import { PRESAMPLED } from './root-sampling.js';
import { sampledContext, tracer, tracingState } from './state.js';

/**
 * Spans for the tick pipeline, added around the adapters' methods in place (so each adapter keeps
 * its type and its own figures) and only when tracing is on: a process that does not trace runs
 * the adapters untouched. With tracing on, a tick that is not sampled costs one sampling decision
 * where it is appended and a WeakMap miss at each later stage; nothing is written for it.
 *
 * One sampled tick makes one trace: `<topic> publish` where it is appended (a root, or a child of
 * the request that ingested it), `<topic> process` in each consumer group, `store applyTicks`,
 * `<channel> publish` and `<channel> receive` on the pub/sub, then `ws send` in the gateway
 * (dispatcher.ts). Batch-wide work (the store write) is parented to the first sampled tick of the
 * batch.
 */

/** `messaging.system` of each event-log engine (OpenTelemetry semantic conventions). */
export type LogSystem = 'memory' | 'redis' | 'kafka';

const fail = (span: Span, error: unknown): void => {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
};

/** Runs `work` and ends `spans` after it, marking them failed if it rejects. */
async function finishing<R>(spans: readonly Span[], work: Promise<R>): Promise<R> {
  try {
    return await work;
  } catch (error) {
    for (const span of spans) fail(span, error);
    throw error;
  } finally {
    for (const span of spans) span.end();
  }
}

function instrumentEventLog(log: EventLog<Tick>, system: LogSystem, topic: string): void {
  const append = log.append.bind(log);
  const consume = log.consume.bind(log);
  const publishName = `${topic} publish`;
  const processName = `${topic} process`;

  log.append = (records) => {
    const t = tracer();
    const parent = context.active();
    // A tick appended outside any span starts a trace: drawn here (root-sampling.ts), so an
    // unsampled one costs a random number and no span.
    const ratio = trace.getSpan(parent) === undefined ? tracingState.rootRatio : undefined;
    let spans: Span[] | undefined;
    for (const record of records) {
      if (ratio !== undefined && !(ratio >= 1 || Math.random() < ratio)) continue;
      const span = t.startSpan(publishName, ratio === undefined ? { kind: SpanKind.PRODUCER } : { kind: SpanKind.PRODUCER, attributes: { [PRESAMPLED]: true } }, parent);
      const sampled = sampledContext(span);
      if (!sampled) continue; // a non-recording span: nothing to end
      span.setAttributes({ 'messaging.system': system, 'messaging.operation.type': 'send', 'messaging.destination.name': topic, 'messaging.message.key': record.key, 'tick.seq': record.value.seq });
      carry(record.value, sampled);
      (spans ??= []).push(span);
    }
    return spans ? finishing(spans, append(records)) : append(records);
  };

  log.consume = (options, handler) =>
    consume(options, (records: readonly LogRecord<Tick>[]) => {
      let spans: Span[] | undefined;
      let active: Context | undefined;
      for (const record of records) {
        const parent = carriedContext(record.value);
        if (!parent) continue;
        const span = tracer().startSpan(
          processName,
          {
            kind: SpanKind.CONSUMER,
            attributes: { 'messaging.system': system, 'messaging.operation.type': 'process', 'messaging.destination.name': topic, 'messaging.consumer.group.name': options.group, 'messaging.message.key': record.key, 'tick.seq': record.value.seq, 'messaging.batch.message_count': records.length },
          },
          trace.setSpanContext(ROOT_CONTEXT, parent),
        );
        const sampled = sampledContext(span);
        if (sampled) carry(record.value, sampled);
        (spans ??= []).push(span);
        active ??= trace.setSpan(context.active(), span);
      }
      if (!spans || !active) return handler(records);
      return finishing(spans, context.with(active, () => handler(records)));
    });
}

/** A span for each batch the store writes inside a sampled tick's work (the processor's). */
function instrumentPriceStore(store: PriceStore): void {
  const applyTicks = store.applyTicks.bind(store);
  store.applyTicks = (ticks) => {
    if (!trace.getActiveSpan()?.isRecording()) return applyTicks(ticks);
    const span = tracer().startSpan('store applyTicks', { kind: SpanKind.CLIENT, attributes: { 'tick.count': ticks.length } });
    return finishing(
      [span],
      applyTicks(ticks).then((result) => {
        span.setAttributes({ 'tick.accepted': result.accepted.length, 'tick.duplicates': result.duplicates, 'tick.stale': result.stale });
        return result;
      }),
    );
  };
}

/** Publish and receive spans for sampled ticks on the pub/sub; the tick carries the publish span on. */
function instrumentTickPubSub(pubsub: PubSub<Tick>, system: 'memory' | 'redis'): void {
  const publish = pubsub.publish.bind(pubsub);
  const publishMany = pubsub.publishMany.bind(pubsub);
  const subscribe = pubsub.subscribe.bind(pubsub);

  const publishSpan = (channel: string, tick: Tick): Span | undefined => {
    const parent = carriedContext(tick);
    if (!parent) return undefined;
    const span = tracer().startSpan(
      `${channel} publish`,
      { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': system, 'messaging.operation.type': 'send', 'messaging.destination.name': channel, 'tick.seq': tick.seq } },
      trace.setSpanContext(ROOT_CONTEXT, parent),
    );
    const sampled = sampledContext(span);
    if (sampled) carry(tick, sampled);
    return span;
  };

  pubsub.publish = (channel, message) => {
    const span = publishSpan(channel, message);
    return span ? finishing([span], publish(channel, message)) : publish(channel, message);
  };
  pubsub.publishMany = (messages) => {
    let spans: Span[] | undefined;
    for (const m of messages) {
      const span = publishSpan(m.channel, m.message);
      if (span) (spans ??= []).push(span);
    }
    return spans ? finishing(spans, publishMany(messages)) : publishMany(messages);
  };
  pubsub.subscribe = (channel, listener) =>
    subscribe(channel, (tick) => {
      const parent = carriedContext(tick);
      if (!parent) return listener(tick);
      const span = tracer().startSpan(
        `${channel} receive`,
        { kind: SpanKind.CONSUMER, attributes: { 'messaging.system': system, 'messaging.operation.type': 'receive', 'messaging.destination.name': channel, 'tick.seq': tick.seq } },
        trace.setSpanContext(ROOT_CONTEXT, parent),
      );
      const sampled = sampledContext(span);
      if (sampled) carry(tick, sampled);
      try {
        context.with(trace.setSpan(context.active(), span), () => listener(tick));
      } finally {
        span.end();
      }
    });
}

/** All of the above on a process's tick adapters. */
export function instrumentTickPipeline(adapters: { readonly eventLog: EventLog<Tick>; readonly store: PriceStore; readonly pubsub: PubSub<Tick> }, engines: { readonly log: LogSystem; readonly topic: string; readonly pubsub: 'memory' | 'redis' }): void {
  instrumentEventLog(adapters.eventLog, engines.log, engines.topic);
  instrumentPriceStore(adapters.store);
  instrumentTickPubSub(adapters.pubsub, engines.pubsub);
}
