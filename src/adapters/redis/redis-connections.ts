import { attachErrorListener, closeClient, connectionName, createRedisClient, type RedisClient, type RedisLogger } from './connection.js';

export interface RedisConnectionsOptions {
  /** Base of the connection names shown by CLIENT LIST; `tickstream` by default. */
  readonly clientName?: string;
  readonly logger?: RedisLogger;
}

/** What an adapter holds of a shared connection from its start() to its close(). */
export interface Lease {
  /** Idempotent: the connection closes when its last lease is released. */
  release(): Promise<void>;
}

/** A connection several adapters use: connected by the first lease, closed with the last. */
class SharedClient {
  private leases = 0;
  private connecting: Promise<unknown> | undefined;

  constructor(readonly client: RedisClient) {}

  async lease(): Promise<Lease> {
    this.leases++;
    this.connecting ??= this.client.connect();
    try {
      await this.connecting;
    } catch (err) {
      await this.drop();
      throw err;
    }
    let held = true;
    return {
      release: async () => {
        if (!held) return;
        held = false;
        await this.drop();
      },
    };
  }

  private async drop(): Promise<void> {
    if (--this.leases > 0) return;
    this.connecting = undefined;
    await closeClient(this.client);
  }
}

/**
 * The Redis connections of one process. node-redis pipelines the commands of every caller on one
 * connection, so the price store, sequencer, connection limiter, event log appends and pub/sub
 * publishing all share `commands`. Two kinds of use cannot share it: a connection in subscribe
 * mode takes no other commands (one `subscriber`, shared by every pub/sub), and a blocking read
 * (XREADGROUP BLOCK) holds its connection for the whole wait (one `dedicated` connection per
 * stream consumer).
 *
 * Each adapter `acquire`s what it uses in its start() and releases it in its close(), so a shared
 * connection lives as long as its last user. Each connection has its own error listener and
 * reconnects with the same backoff (connection.ts); node-redis re-subscribes the subscriber's
 * channels after a reconnect.
 */
export class RedisConnections {
  private readonly commands: SharedClient;
  private readonly subscriber: SharedClient;

  constructor(
    private readonly url: string,
    private readonly options: RedisConnectionsOptions = {},
  ) {
    this.commands = new SharedClient(createRedisClient(url, { name: connectionName(options.clientName, 'commands'), logger: options.logger }));
    const name = connectionName(options.clientName, 'subscriber');
    const subscriber = this.commands.client.duplicate({ name });
    attachErrorListener(subscriber, { name, logger: options.logger });
    this.subscriber = new SharedClient(subscriber);
  }

  /** The command connection, not yet connected: adapters may keep it from their constructor. */
  get commandClient(): RedisClient {
    return this.commands.client;
  }

  /** The subscribe-mode connection, not yet connected. */
  get subscriberClient(): RedisClient {
    return this.subscriber.client;
  }

  /** Connects the command connection if no one has yet; release the lease in close(). */
  leaseCommands(): Promise<Lease> {
    return this.commands.lease();
  }

  leaseSubscriber(): Promise<Lease> {
    return this.subscriber.lease();
  }

  /** A connection of its own (not connected) for blocking reads; the caller connects and closes it. */
  dedicated(role: string): RedisClient {
    return createRedisClient(this.url, { name: connectionName(this.options.clientName, role), logger: this.options.logger });
  }
}

/** How a Redis adapter reaches Redis: the process's shared connections, or a URL to open its own. */
export interface RedisReach {
  readonly url?: string;
  readonly connections?: RedisConnections;
  /** Base of the connection names shown by CLIENT LIST (own connections only); `tickstream` by default. */
  readonly clientName?: string;
  readonly logger?: RedisLogger;
}

/** An adapter's connections: the process's shared ones when given, else a set of its own. */
export function connectionsFor(options: RedisReach): RedisConnections {
  if (options.connections) return options.connections;
  if (!options.url) throw new Error('a Redis adapter needs `url` or `connections`');
  return new RedisConnections(options.url, { clientName: options.clientName, logger: options.logger });
}
