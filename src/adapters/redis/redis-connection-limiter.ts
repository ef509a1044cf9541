import type { ConnectionLimiter } from '../../ports/connection-limiter.js';
import { MemoryConnectionLimiter, checkLimiterOptions } from '../memory/memory-connection-limiter.js';
import { pingWithin, type RedisClient } from './connection.js';
import { connectionsFor, type Lease, type RedisConnections, type RedisReach } from './redis-connections.js';

export interface RedisConnectionLimiterOptions extends RedisReach {
  readonly prefix: string;
  readonly ratePerSecond: number;
  readonly burst: number;
  /** Longest wait for Redis's answer before deciding locally; 250 ms by default. */
  readonly timeoutMs?: number;
}

/**
 * Per-IP connection rate limit shared by every gateway: one token bucket per IP in Redis
 * (`${prefix}ratelimit:${ip}`), taken atomically by a Lua script on the server's clock. Keys
 * expire once their bucket would be full again.
 *
 * While Redis is unreachable or slow, each process falls back to its own in-memory bucket of the
 * same rate: the limit is then per process rather than shared, but a Redis outage neither blocks
 * nor fully opens the gateways' doors.
 */
export class RedisConnectionLimiter implements ConnectionLimiter {
  private readonly connections: RedisConnections;
  private readonly client: RedisClient;
  private lease: Lease | undefined;
  private readonly local: MemoryConnectionLimiter;
  private readonly args: string[];
  private fallbacks = 0;

  constructor(private readonly options: RedisConnectionLimiterOptions) {
    checkLimiterOptions(options);
    this.args = [String(options.ratePerSecond), String(options.burst)];
    this.local = new MemoryConnectionLimiter(options);
    this.connections = connectionsFor(options);
    this.client = this.connections.commandClient;
  }

  /** Decisions taken locally because Redis did not answer. */
  get localDecisions(): number {
    return this.fallbacks;
  }

  async start(): Promise<void> {
    this.lease = await this.connections.leaseCommands();
  }

  async close(): Promise<void> {
    await this.lease?.release();
  }

  async ping(): Promise<void> {
    await pingWithin(this.client);
  }

  async allow(ip: string): Promise<boolean> {
    if (!this.client.isReady) return this.decideLocally(ip);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), this.options.timeoutMs ?? 250)));
    try {
      const reply = await Promise.race([this.client.takeToken([`${this.options.prefix}ratelimit:${ip}`], this.args), late]);
      if (reply === 'late') return this.decideLocally(ip);
      return Number(reply) === 1;
    } catch (err) {
      this.options.logger?.warn({ err }, 'shared connection limiter failed; deciding locally');
      return this.decideLocally(ip);
    } finally {
      clearTimeout(timer);
    }
  }

  private decideLocally(ip: string): boolean {
    this.fallbacks++;
    return this.local.allowNow(ip);
  }
}
