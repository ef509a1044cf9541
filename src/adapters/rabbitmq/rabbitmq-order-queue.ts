import type { ConsumeMessage, Channel, ConfirmChannel } from 'amqplib';
import amqp, { type AmqpConnectionManager, type ChannelWrapper } from 'amqp-connection-manager';
import type { Logger } from '../../observability/logger.js';
import type { DeadLetter, OrderQueue, QueueConsumer, QueueHandler, RetryPolicy } from '../../ports/order-queue.js';
import type { Codec } from '../codec.js';
import { reasonOf } from '../memory/memory-order-queue.js';
import { declare, topology, type Topology } from './topology.js';
import { handleTraced, traceHeaders } from '../../observability/tracing/messages.js';

export interface RabbitOrderQueueOptions {
  readonly url: string;
  /** Name of the work queue; the retry and dead-letter queues are named after it. */
  readonly queue: string;
  readonly retry: RetryPolicy;
  /** Shown as `connection_name` in the broker's connection list, so operators (and tests) can find it. */
  readonly connectionName: string;
  readonly logger: Logger;
}

const ATTEMPT = 'x-attempt';
const REASON = 'x-death-reason';
/** W3C Trace Context headers a retry copies from the delivery it replaces. */
const TRACE_HEADERS = ['traceparent', 'tracestate'] as const;

function pick(headers: Readonly<Record<string, unknown>>, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) if (headers[name] !== undefined) out[name] = headers[name];
  return out;
}

/**
 * OrderQueue on RabbitMQ through amqp-connection-manager, which reconnects and re-runs the setup
 * (queue declarations, consumers) after a lost connection. Publishing uses a confirm channel and
 * persistent messages; consumers ack after their handler. A failed delivery is re-published to the
 * retry queue of its attempt (confirmed) before it is acked, so a crash in between duplicates it
 * rather than losing it.
 */
export class RabbitOrderQueue<T> implements OrderQueue<T> {
  private connection: AmqpConnectionManager | undefined;
  private publisher: ChannelWrapper | undefined;
  private readonly consumers = new Set<RabbitConsumer<T>>();
  readonly names: Topology;

  constructor(
    private readonly codec: Codec<T>,
    private readonly options: RabbitOrderQueueOptions,
  ) {
    this.names = topology(options.queue, options.retry);
  }

  async start(): Promise<void> {
    if (this.connection) return;
    const connection = amqp.connect([this.options.url], {
      heartbeatIntervalInSeconds: 5,
      reconnectTimeInSeconds: 1,
      // amqplib leaves Nagle's algorithm on: a publish written while the previous frame waits for
      // the broker's delayed ACK sat ~40 ms, so one confirmed publish at a time made 24/s, not ~1,000/s.
      connectionOptions: { noDelay: true, clientProperties: { connection_name: this.options.connectionName } },
    });
    connection.on('disconnect', ({ err }) => this.options.logger.warn({ err }, 'RabbitMQ connection lost; reconnecting'));
    connection.on('connectFailed', ({ err }) => this.options.logger.warn({ err }, 'RabbitMQ connection failed; retrying'));
    this.connection = connection;
    this.publisher = connection.createChannel({ confirm: true, json: false, setup: (channel: ConfirmChannel) => declare(channel, this.options.queue, this.options.retry) });
    await this.publisher.waitForConnect();
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.stop()));
    await this.publisher?.close();
    await this.connection?.close();
    this.publisher = undefined;
    this.connection = undefined;
  }

  async ping(): Promise<void> {
    if (!this.connection?.isConnected()) throw new Error('not connected to RabbitMQ');
  }

  async publish(message: T, options: { readonly id: string }): Promise<void> {
    await this.channel().sendToQueue(this.names.work, Buffer.from(this.codec.encode(message)), { persistent: true, messageId: options.id, headers: { [ATTEMPT]: 1, ...traceHeaders() } });
  }

  async consume(handler: QueueHandler<T>, options: { readonly prefetch?: number } = {}): Promise<QueueConsumer> {
    if (!this.connection) throw new Error('order queue is not started');
    const consumer = new RabbitConsumer(this.connection, this.codec, this.names, this.options.retry, handler, options.prefetch ?? 16, this.options.logger);
    this.consumers.add(consumer);
    await consumer.start();
    return {
      stop: async () => {
        await consumer.stop();
        this.consumers.delete(consumer);
      },
      abort: async () => {
        await consumer.abort();
        this.consumers.delete(consumer);
      },
    };
  }

  /** Reads without removing: gets up to `limit`, then closes the channel, which returns them all. */
  async deadLetters(limit: number): Promise<DeadLetter[]> {
    const letters: DeadLetter[] = [];
    const reader = this.connection!.createChannel({ json: false });
    try {
      await reader.waitForConnect();
      await reader.addSetup(async (channel: Channel) => {
        letters.push(...(await readDeadLetters(channel, this.names.dead, limit)));
      });
    } finally {
      await reader.close();
    }
    return letters;
  }

  private channel(): ChannelWrapper {
    if (!this.publisher) throw new Error('order queue is not started');
    return this.publisher;
  }
}

/**
 * Up to `limit` dead letters from `queue`, read without acknowledging them: they go back to the
 * queue when `channel` closes. Needs no other queue of the topology, so an operator's reader
 * (`tickstream dead-letters`) does not declare them with settings that may differ from the servers'.
 */
export async function readDeadLetters(channel: Channel, queue: string, limit: number): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  while (letters.length < limit) {
    const message = await channel.get(queue, { noAck: false });
    if (message === false) break;
    const headers = message.properties.headers ?? {};
    letters.push({ id: message.properties.messageId as string | undefined, raw: message.content.toString('utf8'), reason: String(headers[REASON] ?? 'unknown'), attempts: Number(headers[ATTEMPT] ?? 1) });
  }
  return letters;
}

/** One consumer: its own confirm channel (prefetch is per channel), re-established on reconnect. */
class RabbitConsumer<T> {
  private wrapper: ChannelWrapper | undefined;
  private readonly running = new Set<Promise<void>>();
  /** Deliveries of the current connection; a reconnect makes older delivery tags meaningless. */
  private generation = 0;
  private active = true;
  private readonly onDisconnect = () => this.generation++;

  constructor(
    private readonly connection: AmqpConnectionManager,
    private readonly codec: Codec<T>,
    private readonly names: Topology,
    private readonly retry: RetryPolicy,
    private readonly handler: QueueHandler<T>,
    private readonly prefetch: number,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.connection.on('disconnect', this.onDisconnect);
    this.wrapper = this.connection.createChannel({ confirm: true, json: false });
    await this.wrapper.waitForConnect();
    await this.wrapper.consume(this.names.work, (message) => this.receive(message), { prefetch: this.prefetch, noAck: false });
  }

  async stop(): Promise<void> {
    this.active = false;
    await this.wrapper?.cancelAll();
    await Promise.all(this.running);
    await this.close();
  }

  /** Closes the channel without acking: the broker requeues what it held. */
  async abort(): Promise<void> {
    this.active = false;
    this.generation++;
    await this.close();
  }

  private async close(): Promise<void> {
    this.connection.off('disconnect', this.onDisconnect);
    await this.wrapper?.close();
    this.wrapper = undefined;
  }

  private receive(message: ConsumeMessage): void {
    const run = this.handle(message, this.generation).finally(() => this.running.delete(run));
    this.running.add(run);
  }

  private async handle(message: ConsumeMessage, generation: number): Promise<void> {
    const wrapper = this.wrapper!;
    const headers = message.properties.headers ?? {};
    // Redeliveries after a crash are counted by the quorum queue; retries carry their own count.
    const attempt = Number(headers[ATTEMPT] ?? 1) + Number(headers['x-delivery-count'] ?? 0);
    const id = String(message.properties.messageId ?? '');
    const body = this.codec.decode(message.content);
    let failure: string | undefined;
    if (body === undefined) failure = 'undecodable';
    else {
      try {
        await handleTraced(this.names.work, 'rabbitmq', headers, () => this.handler({ id, body, attempt }));
      } catch (error) {
        failure = reasonOf(error);
      }
    }
    // After an abort or a reconnect the broker has requeued this delivery: it will come again.
    if (generation !== this.generation || !this.active && failure !== undefined) return;
    try {
      if (failure !== undefined) {
        const last = body === undefined || attempt >= this.retry.maxAttempts;
        const target = last ? this.names.dead : this.names.retry(attempt);
        await wrapper.sendToQueue(target, message.content, {
          persistent: true,
          messageId: message.properties.messageId as string | undefined,
          // A retry keeps its trace context: the next attempt belongs to the same trace.
          headers: last ? { [ATTEMPT]: attempt, [REASON]: failure } : { [ATTEMPT]: attempt + 1, ...pick(headers, TRACE_HEADERS) },
        });
      }
      if (generation === this.generation) wrapper.ack(message);
    } catch (error) {
      // Not re-published or not acked: the broker still has the delivery and gives it out again.
      this.logger.warn({ err: error, id }, 'order queue: settling a delivery failed; it will be redelivered');
    }
  }
}
