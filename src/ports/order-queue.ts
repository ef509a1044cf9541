import { backoffDelay, doubling } from '../domain/backoff.js';
import type { Adapter } from './lifecycle.js';

/**
 * OrderQueue — a durable work queue for order commands: one consumer handles each message.
 *
 * Guarantees every adapter keeps (test/contracts/order-queue.contract.ts runs on each):
 * - **Confirmed publish.** `publish` resolves only once the engine has taken responsibility for
 *   the message (RabbitMQ: a publisher confirm from a durable quorum queue); if it rejects, the
 *   message may or may not be queued, so publishers retry with the same `id` and consumers are
 *   idempotent on it.
 * - **Ack after the handler.** A message is removed only after the handler's promise resolved.
 *   A consumer that goes away without finishing (a crash, `abort()`, a lost connection) leaves its
 *   unacknowledged messages to be delivered again, to it or to another consumer: at-least-once.
 * - **Bounded retries with backoff.** A handler that throws gets the message again after
 *   `retryDelayMs(attempt)` (growing), up to `maxAttempts` deliveries in all; `attempt` counts them
 *   from 1. Other messages keep flowing meanwhile: a failing message never blocks the queue.
 * - **Dead letters.** After the last attempt, or at once for a message that cannot be decoded (a
 *   poison message from a bad producer), the message goes to the dead-letter queue with the reason
 *   and the number of attempts; `deadLetters()` reads them without removing them.
 * - **No order** is promised between messages (retries overtake); consumers must not rely on it.
 * - **Prefetch** bounds the messages one consumer holds unacknowledged at a time.
 */
export interface OrderQueue<T> extends Adapter {
  publish(message: T, options: { readonly id: string }): Promise<void>;
  consume(handler: QueueHandler<T>, options?: { readonly prefetch?: number }): Promise<QueueConsumer>;
  /** The dead-letter queue's messages, oldest first, at most `limit`; nothing is removed. */
  deadLetters(limit: number): Promise<DeadLetter[]>;
}

export interface Delivery<T> {
  readonly id: string;
  readonly body: T;
  /** 1 on the first delivery; retries and redeliveries after a crash count up. */
  readonly attempt: number;
}

export type QueueHandler<T> = (delivery: Delivery<T>) => Promise<void>;

export interface DeadLetter {
  readonly id: string | undefined;
  /** The message as it was published (text), also when it could not be decoded. */
  readonly raw: string;
  readonly reason: string;
  readonly attempts: number;
}

export interface QueueConsumer {
  /** Graceful: takes no new messages, waits for the handlers in flight and acknowledges them. */
  stop(): Promise<void>;
  /** Like a crash: goes away at once; what it held unacknowledged is delivered again. */
  abort(): Promise<void>;
}

export interface RetryPolicy {
  /** Deliveries in all, the first included, before a message is dead-lettered. */
  readonly maxAttempts: number;
  /** Delay before delivery `attempt + 1` after delivery `attempt` failed. */
  readonly baseDelayMs: number;
}

/** Exponential backoff: base, 2 × base, 4 × base, … */
export const retryDelayMs = (policy: RetryPolicy, attempt: number): number => backoffDelay(attempt - 1, doubling(policy.baseDelayMs, Infinity));
