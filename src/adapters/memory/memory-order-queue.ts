import type { Codec } from '../codec.js';
import { handleTraced, traceHeaders } from '../../observability/tracing/messages.js';
import { retryDelayMs, type DeadLetter, type OrderQueue, type QueueConsumer, type QueueHandler, type RetryPolicy } from '../../ports/order-queue.js';

interface Message {
  readonly id: string;
  readonly raw: string;
  attempt: number;
  /** The publisher's trace context (W3C), when it was traced. */
  readonly headers?: Readonly<Record<string, string>>;
}

interface Member {
  readonly handler: QueueHandler<unknown>;
  readonly prefetch: number;
  readonly held: Set<Message>;
  readonly running: Set<Promise<void>>;
  active: boolean;
}

/**
 * The order queue inside the process (the embedded default). Messages are kept encoded, as a
 * broker would, so a value the codec cannot read takes the same dead-letter path as on RabbitMQ.
 * Nothing survives the process.
 */
export class MemoryOrderQueue<T> implements OrderQueue<T> {
  private readonly ready: Message[] = [];
  private readonly dead: DeadLetter[] = [];
  private readonly members = new Set<Member>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly codec: Codec<T>,
    private readonly retry: RetryPolicy,
  ) {}

  async start(): Promise<void> {}
  async ping(): Promise<void> {}

  async close(): Promise<void> {
    for (const member of this.members) member.active = false;
    await Promise.all([...this.members].flatMap((m) => [...m.running]));
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.members.clear();
  }

  async publish(message: T, options: { readonly id: string }): Promise<void> {
    this.publishRaw(this.codec.encode(message), options.id, traceHeaders());
  }

  /** A message as a foreign producer might write it (for the contract suite's poison message). */
  publishRaw(raw: string, id: string, headers?: Record<string, string>): void {
    this.ready.push({ id, raw, attempt: 1, headers });
    this.dispatch();
  }

  async consume(handler: QueueHandler<T>, options: { readonly prefetch?: number } = {}): Promise<QueueConsumer> {
    const member: Member = { handler: handler as QueueHandler<unknown>, prefetch: options.prefetch ?? 16, held: new Set(), running: new Set(), active: true };
    this.members.add(member);
    this.dispatch();
    return {
      stop: async () => {
        member.active = false;
        await Promise.all(member.running);
        this.members.delete(member);
      },
      abort: async () => {
        member.active = false;
        this.members.delete(member);
        // Unacknowledged: back to the queue for someone else, counted as another delivery.
        for (const message of member.held) this.ready.unshift({ ...message, attempt: message.attempt + 1 });
        member.held.clear();
        this.dispatch();
      },
    };
  }

  async deadLetters(limit: number): Promise<DeadLetter[]> {
    return this.dead.slice(0, limit);
  }

  private dispatch(): void {
    for (const member of this.members) {
      while (member.active && member.held.size < member.prefetch && this.ready.length > 0) this.deliver(member, this.ready.shift()!);
    }
  }

  private deliver(member: Member, message: Message): void {
    const body = this.codec.decode(message.raw);
    if (body === undefined) {
      this.dead.push({ id: message.id, raw: message.raw, reason: 'undecodable', attempts: message.attempt });
      return;
    }
    member.held.add(message);
    const run = Promise.resolve()
      .then(() => handleTraced('orders', 'memory', message.headers, () => member.handler({ id: message.id, body, attempt: message.attempt })))
      .then(
        () => undefined,
        (error: unknown) => (member.held.has(message) ? this.failed(message, error) : undefined),
      )
      .finally(() => {
        member.held.delete(message);
        member.running.delete(run);
        this.dispatch();
      });
    member.running.add(run);
  }

  private failed(message: Message, error: unknown): void {
    if (message.attempt >= this.retry.maxAttempts) {
      this.dead.push({ id: message.id, raw: message.raw, reason: reasonOf(error), attempts: message.attempt });
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.ready.push({ ...message, attempt: message.attempt + 1 });
      this.dispatch();
    }, retryDelayMs(this.retry, message.attempt));
    this.timers.add(timer);
  }
}

export const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error)).slice(0, 500);
