import type { PubSub, Unsubscribe } from '../../ports/pubsub.js';

/**
 * In-process fan-out. Delivery is synchronous inside `publish`, so a slow listener slows the
 * publisher: listeners only enqueue (the gateway buffers and flushes on its own schedule).
 */
export class MemoryPubSub<T> implements PubSub<T> {
  private readonly listeners = new Map<string, Set<(message: T) => void>>();

  async start(): Promise<void> {}
  async close(): Promise<void> {
    this.listeners.clear();
  }
  async ping(): Promise<void> {}

  async publish(channel: string, message: T): Promise<void> {
    this.deliver(channel, message);
  }

  async publishMany(messages: readonly { channel: string; message: T }[]): Promise<void> {
    for (const m of messages) this.deliver(m.channel, m.message);
  }

  private deliver(channel: string, message: T): void {
    const set = this.listeners.get(channel);
    if (!set) return;
    for (const listener of set) listener(message);
  }

  async subscribe(channel: string, listener: (message: T) => void): Promise<Unsubscribe> {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    // A wrapper per call, so the same function subscribed twice needs two unsubscribes.
    const entry = (message: T): void => listener(message);
    set.add(entry);
    let active = true;
    return async () => {
      if (!active) return;
      active = false;
      set.delete(entry);
      if (set.size === 0 && this.listeners.get(channel) === set) this.listeners.delete(channel);
    };
  }

  channels(): string[] {
    return [...this.listeners.keys()];
  }

  onResubscribed(): void {
    // Never disconnects.
  }
}
