import type { Channel } from 'amqplib';
import { retryDelayMs, type RetryPolicy } from '../../ports/order-queue.js';

/**
 * The queues behind one OrderQueue named `name`:
 * - `name`: the work queue, durable and quorum (replicated, confirms after a majority wrote it).
 * - `name.retry.<n>`: one durable queue per retry delay; a message waits there `x-message-ttl` and
 *   then dead-letters back into `name`. One queue per delay, not per-message expiry in one queue,
 *   because RabbitMQ only expires messages at the head of a queue: a long delay would hold up the
 *   short ones queued behind it.
 * - `name.dead`: durable quorum queue of dead letters, read with `deadLetters()`.
 * Declaring is idempotent; a queue declared earlier with other arguments is refused by the broker
 * (PRECONDITION_FAILED) rather than silently used.
 */
export interface Topology {
  readonly work: string;
  readonly dead: string;
  retry(attempt: number): string;
  all(): string[];
}

export function topology(name: string, policy: RetryPolicy): Topology {
  const retry = (attempt: number) => `${name}.retry.${attempt}`;
  const retries = Array.from({ length: Math.max(0, policy.maxAttempts - 1) }, (_, i) => retry(i + 1));
  return { work: name, dead: `${name}.dead`, retry, all: () => [name, ...retries, `${name}.dead`] };
}

export async function declare(channel: Channel, name: string, policy: RetryPolicy): Promise<void> {
  const t = topology(name, policy);
  await channel.assertQueue(t.work, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await channel.assertQueue(t.dead, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  for (let attempt = 1; attempt < policy.maxAttempts; attempt++) {
    await channel.assertQueue(t.retry(attempt), {
      durable: true,
      arguments: { 'x-message-ttl': retryDelayMs(policy, attempt), 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': t.work },
    });
  }
}
