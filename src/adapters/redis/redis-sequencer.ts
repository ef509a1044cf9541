import type { SeqRequest, TickSequencer } from '../../ports/sequencer.js';
import { pingWithin, type RedisClient } from './connection.js';
import { connectionsFor, type Lease, type RedisConnections, type RedisReach } from './redis-connections.js';

export interface RedisSequencerOptions extends RedisReach {
  readonly prefix: string;
}

/**
 * Counters in Redis (`${prefix}seq`, a hash symbol → last seq; `${prefix}seq:producers` for the
 * producers' own numbers), so numbering survives restarts and is shared by every ingesting process.
 */
export class RedisSequencer implements TickSequencer {
  private readonly connections: RedisConnections;
  private readonly client: RedisClient;
  private lease: Lease | undefined;
  private readonly keys: [string, string];

  constructor(options: RedisSequencerOptions) {
    this.connections = connectionsFor(options);
    this.client = this.connections.commandClient;
    this.keys = [`${options.prefix}seq`, `${options.prefix}seq:producers`];
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

  async assign(requests: readonly SeqRequest[]): Promise<number[]> {
    if (requests.length === 0) return [];
    const args: string[] = [];
    for (const r of requests) args.push(r.symbol, r.source, String(r.sourceSeq ?? 0));
    const reply = await this.client.assignSeqs(this.keys, args);
    return reply.map(Number);
  }

  async seed(latest: ReadonlyMap<string, number>): Promise<void> {
    if (latest.size === 0) return;
    const args: string[] = [];
    for (const [symbol, seq] of latest) args.push(symbol, String(seq));
    await this.client.seedSeqs([this.keys[0]], args);
  }
}
