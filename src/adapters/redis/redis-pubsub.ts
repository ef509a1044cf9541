import type { PubSub, Unsubscribe } from '../../ports/pubsub.js';
import type { Codec } from '../codec.js';
import { groupBy } from '../group-by.js';
import { pingWithin, type RedisClient } from './connection.js';
import { connectionsFor, type Lease, type RedisConnections, type RedisReach } from './redis-connections.js';

export interface RedisPubSubOptions<T> extends RedisReach {
  /** Prepended to every channel name, so deployments sharing a Redis do not hear each other. */
  readonly prefix: string;
  readonly codec: Codec<T>;
}

type Listener<T> = (message: T) => void;

/**
 * A PUBLISH carrying several messages of one channel: this line, then one encoded message per
 * line. Redis's cost is per command, not per byte, so publishMany sends one such PUBLISH per
 * channel instead of one per message. A lone message goes as itself, which is what any other
 * subscriber of the channel (redis-cli, the seed's gateway) expects. The marker cannot begin an
 * encoded message, and an encoded message has no newline: codecs write JSON (see codec.ts).
 */
const BATCH_PREFIX = 'batch\n';
/** Most messages in one PUBLISH, so one hot channel does not make a huge payload. */
const MAX_MESSAGES_PER_PUBLISH = 256;

/** One upstream subscription, shared by every local listener of its channel. */
interface Held<T> {
  readonly listeners: Set<Listener<T>>;
  /** Settles once Redis confirmed the SUBSCRIBE. */
  readonly ready: Promise<void>;
  /** The one node-redis listener of this subscription: its identity is what UNSUBSCRIBE releases. */
  readonly upstream: (raw: string) => void;
}

/**
 * PubSub on Redis channels: one connection publishes, a duplicate of it subscribes (a RESP
 * connection in subscribe mode is better kept to that). Listeners are counted per channel; the
 * first one sends SUBSCRIBE and the last one's unsubscribe sends UNSUBSCRIBE.
 *
 * When the subscriber connection drops, node-redis reconnects with bounded backoff, subscribes
 * every held channel again, and only then reports 'ready'; that is when `onResubscribed`
 * listeners run, so a reader that checks the store for gaps sees everything published meanwhile
 * either there or live. Messages a codec cannot read are dropped and counted (`malformed`).
 */
export class RedisPubSub<T> implements PubSub<T> {
  private readonly connections: RedisConnections;
  private readonly publisher: RedisClient;
  private readonly subscriber: RedisClient;
  private leases: Lease[] = [];
  private started = false;
  private readonly held = new Map<string, Held<T>>();
  private readonly resubscribed: (() => void)[] = [];
  private malformedCount = 0;
  private listenerErrorCount = 0;

  constructor(private readonly options: RedisPubSubOptions<T>) {
    this.connections = connectionsFor(options);
    this.publisher = this.connections.commandClient;
    this.subscriber = this.connections.subscriberClient;
    this.subscriber.on('ready', this.onSubscriberReady);
  }

  /** Messages dropped because the codec could not read them. */
  get malformed(): number {
    return this.malformedCount;
  }

  /** Listener calls that threw (the error is logged and the other listeners still run). */
  get listenerErrors(): number {
    return this.listenerErrorCount;
  }

  async start(): Promise<void> {
    this.leases = await Promise.all([this.connections.leaseCommands(), this.connections.leaseSubscriber()]);
    this.started = true;
  }

  async close(): Promise<void> {
    this.started = false;
    this.subscriber.off('ready', this.onSubscriberReady);
    // The subscriber connection may serve other pub/subs of the process: only this one's channels go.
    const held = [...this.held];
    this.held.clear();
    if (this.subscriber.isReady) await Promise.all(held.map(([channel, h]) => this.subscriber.unsubscribe(this.upstreamName(channel), h.upstream))).catch(() => {});
    const leases = this.leases;
    this.leases = [];
    await Promise.all(leases.map((lease) => lease.release()));
  }

  async ping(): Promise<void> {
    // A subscriber that lost its connection shows as not ready until it has resubscribed.
    if (!this.subscriber.isReady) throw new Error('redis subscriber connection is down (reconnecting)');
    await pingWithin(this.publisher);
  }

  async publish(channel: string, message: T): Promise<void> {
    await this.publisher.publish(this.upstreamName(channel), this.options.codec.encode(message));
  }

  async publishMany(messages: readonly { channel: string; message: T }[]): Promise<void> {
    if (messages.length === 0) return;
    const byChannel = groupBy(messages, (m) => m.channel, (m) => this.options.codec.encode(m.message));
    // One pipeline: one round trip, and Redis runs the PUBLISHes in order.
    const pipeline = this.publisher.multi();
    for (const [channel, encoded] of byChannel) {
      const name = this.upstreamName(channel);
      for (let i = 0; i < encoded.length; i += MAX_MESSAGES_PER_PUBLISH) {
        const part = encoded.slice(i, i + MAX_MESSAGES_PER_PUBLISH);
        pipeline.publish(name, part.length === 1 ? part[0]! : BATCH_PREFIX + part.join('\n'));
      }
    }
    await pipeline.execAsPipeline();
  }

  async subscribe(channel: string, listener: Listener<T>): Promise<Unsubscribe> {
    let held = this.held.get(channel);
    if (held === undefined) {
      held = this.hold(channel);
      this.held.set(channel, held);
    }
    // A wrapper per call, so the same function subscribed twice needs two unsubscribes.
    const entry: Listener<T> = (message) => listener(message);
    held.listeners.add(entry);
    try {
      await held.ready;
    } catch (err) {
      await this.release(channel, held, entry);
      throw err;
    }
    let active = true;
    return async () => {
      if (!active) return;
      active = false;
      await this.release(channel, held, entry);
    };
  }

  channels(): string[] {
    return [...this.held.keys()];
  }

  onResubscribed(listener: () => void): void {
    this.resubscribed.push(listener);
  }

  private hold(channel: string): Held<T> {
    const listeners = new Set<Listener<T>>();
    const upstream = (raw: string): void => this.deliver(channel, listeners, raw);
    // node-redis resolves SUBSCRIBE when Redis confirmed it: callers may read the store right after.
    const ready = this.subscriber.subscribe(this.upstreamName(channel), upstream);
    return { listeners, ready, upstream };
  }

  private async release(channel: string, held: Held<T>, entry: Listener<T>): Promise<void> {
    held.listeners.delete(entry);
    if (held.listeners.size > 0 || this.held.get(channel) !== held) return;
    this.held.delete(channel);
    // node-redis sends UNSUBSCRIBE now that this subscription's only upstream listener goes; a
    // SUBSCRIBE for the same channel issued meanwhile is queued behind it and holds its own.
    if (this.subscriber.isOpen) await this.subscriber.unsubscribe(this.upstreamName(channel), held.upstream);
  }

  private deliver(channel: string, listeners: ReadonlySet<Listener<T>>, raw: string): void {
    if (!raw.startsWith(BATCH_PREFIX)) {
      this.deliverOne(channel, listeners, raw);
      return;
    }
    const lines = raw.split('\n');
    for (let i = 1; i < lines.length; i++) this.deliverOne(channel, listeners, lines[i]!);
  }

  private deliverOne(channel: string, listeners: ReadonlySet<Listener<T>>, raw: string): void {
    const message = this.options.codec.decode(raw);
    if (message === undefined) {
      this.malformedCount++;
      return;
    }
    for (const listener of listeners) {
      try {
        listener(message);
      } catch (err) {
        // A throwing listener must neither starve the others nor surface in node-redis's reader.
        this.listenerErrorCount++;
        this.options.logger?.warn({ err, channel }, 'pub/sub listener threw');
      }
    }
  }

  private readonly onSubscriberReady = (): void => {
    // A 'ready' before start() finished is the initial connect; later ones follow a reconnect,
    // after node-redis has re-sent SUBSCRIBE for every held channel and Redis confirmed them.
    if (!this.started) return;
    for (const listener of this.resubscribed) {
      try {
        listener();
      } catch (err) {
        this.options.logger?.warn({ err }, 'onResubscribed listener threw');
      }
    }
  };

  private upstreamName(channel: string): string {
    return `${this.options.prefix}${channel}`;
  }
}
