import type { SeqRequest, TickSequencer } from '../../ports/sequencer.js';
import { closeClient, connectionName, createRedisClient, pingWithin, type RedisClient, type RedisLogger } from './connection.js';

export interface RedisSequencerOptions {
  readonly url: string;
  readonly prefix: string;
  readonly clientName?: string;
  readonly logger?: RedisLogger;
}

/**
 * Counters in Redis (`${prefix}seq`, a hash symbol → last seq; `${prefix}seq:producers` for the
 * producers' own numbers), so numbering survives restarts and is shared by every ingesting process.
 */
export class RedisSequencer implements TickSequencer {
  private readonly client: RedisClient;
  private readonly keys: [string, string];

  constructor(options: RedisSequencerOptions) {
    this.client = createRedisClient(options.url, { name: connectionName(options.clientName, 'sequencer'), logger: options.logger });
    this.keys = [`${options.prefix}seq`, `${options.prefix}seq:producers`];
  }

  async start(): Promise<void> {
    await this.client.connect();
  }

  async close(): Promise<void> {
    await closeClient(this.client);
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
