import type { Adapter } from './lifecycle.js';

/**
 * PubSub — fan-out of messages by channel, for live delivery only.
 *
 * Guarantees (checked by test/contracts/pubsub):
 * - **At-most-once.** A message reaches the subscribers that were subscribed when it was
 *   published, at most once each; nothing is stored. Readers that need completeness detect gaps
 *   (ticks carry `seq`) and fill them from the PriceStore.
 * - **Per-channel order** from one publisher is preserved.
 * - **Reference-counted.** However many local listeners a channel has, the adapter holds one
 *   upstream subscription for it; the last `unsubscribe` releases it. `channels()` lists the
 *   channels held upstream.
 * - **Resubscribe.** Adapters that can lose their connection resubscribe every held channel when
 *   it comes back and then call `onResubscribed` listeners, so readers know to check for gaps.
 */
export interface PubSub<T> extends Adapter {
  publish(channel: string, message: T): Promise<void>;
  /** Publishes many messages in one round trip where the engine allows; order kept per channel. */
  publishMany(messages: readonly { channel: string; message: T }[]): Promise<void>;
  subscribe(channel: string, listener: (message: T) => void): Promise<Unsubscribe>;
  channels(): string[];
  onResubscribed(listener: () => void): void;
}

export type Unsubscribe = () => Promise<void>;

export const tickChannel = (symbol: string): string => `ticks.${symbol}`;

/**
 * The analytics role's newly computed indicator points of one symbol (one per candle interval it
 * changed), published after they are stored. Gateways relay them to indicator subscribers; a lost
 * message is made good by the next one of the same candle, since each carries the values as they are.
 */
export const indicatorChannel = (symbol: string): string => `indicators.${symbol}`;
