import { MultiErrorReply, type RedisArgument } from 'redis';
import { bucketStart, CANDLE_INTERVAL_NAMES, CANDLE_INTERVALS, type CandleInterval, type CandleView } from '../../domain/candles.js';
import { toQuote, utcDayStart, type Quote } from '../../domain/daily-stats.js';
import type { Tick } from '../../domain/tick.js';
import type { ApplyResult, PriceStore } from '../../ports/price-store.js';
import { closeClient, connectionName, createRedisClient, pingWithin, type RedisClient, type RedisLogger } from './connection.js';
import { APPLY_TICK } from './lua/apply-tick.js';
import { evalShaArgs, isNoScript, loadScript } from './lua/lua-script.js';
import { decodeCandle, decodeStats, decodeTick, encodeTick, priceStoreKeys } from './price-store-encoding.js';

export interface RedisPriceStoreOptions {
  readonly url: string;
  /** Prefix of every key, e.g. `ts:`. */
  readonly prefix: string;
  readonly historyLimit: number;
  readonly candleLimit: number;
  /** Expiry of every key, refreshed on each accepted tick of its symbol; 7 days by default. */
  readonly ttlSeconds?: number;
  /** Base of the connection name shown by CLIENT LIST; `tickstream` by default. */
  readonly clientName?: string;
  readonly logger?: RedisLogger;
}

const DEFAULT_TTL_SECONDS = 7 * 24 * 3600;

/**
 * PriceStore on Redis, shared by every processor, gateway and API process.
 *
 * Each tick is one Lua script run (lua/apply-tick.ts): compare-and-set on `seq`, then latest,
 * history, candles and day stats change together, so concurrent processors cannot interleave
 * inside a tick. A batch is one MULTI/EXEC of EVALSHA calls: one round trip, replies in batch
 * order. The transaction is what makes the NOSCRIPT fallback safe: with a plain pipeline, after a
 * lost script cache (restart, failover) another writer's EVAL could reload the script between
 * two of our failing EVALSHAs, so a later tick could land before an earlier one we retry; inside
 * EXEC the cache cannot change, so either every EVALSHA of the batch ran or none did, and the
 * whole batch is retried after SCRIPT LOAD.
 *
 * Keys (see price-store-encoding.ts) all expire after `ttlSeconds` without writes, so symbols that
 * stop trading do not stay forever. Redis must not evict them under memory pressure
 * (maxmemory-policy noeviction, or enough memory): an evicted `latest` key would let an older tick
 * in.
 */
export class RedisPriceStore implements PriceStore {
  private readonly client: RedisClient;
  private readonly keys: ReturnType<typeof priceStoreKeys>;
  private readonly ttl: string;

  constructor(private readonly options: RedisPriceStoreOptions) {
    for (const [name, value] of [['historyLimit', options.historyLimit], ['candleLimit', options.candleLimit]] as const) {
      if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
    }
    const ttl = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
    if (!Number.isInteger(ttl) || ttl < 1) throw new Error('ttlSeconds must be a positive integer');
    this.ttl = String(ttl);
    this.keys = priceStoreKeys(options.prefix);
    this.client = createRedisClient(options.url, { name: connectionName(options.clientName, 'store'), logger: options.logger });
  }

  async start(): Promise<void> {
    await this.client.connect();
    await loadScript(this.client, APPLY_TICK);
  }

  async close(): Promise<void> {
    await closeClient(this.client);
  }

  async ping(): Promise<void> {
    await pingWithin(this.client);
  }

  async applyTicks(ticks: readonly Tick[]): Promise<ApplyResult> {
    const result: ApplyResult = { accepted: [], duplicates: 0, stale: 0 };
    if (ticks.length === 0) return result;
    const replies = await this.execApply(ticks.map((t) => evalShaArgs(APPLY_TICK, this.tickKeys(t.symbol), this.tickArgs(t))));
    let duplicates = 0;
    let stale = 0;
    ticks.forEach((tick, i) => {
      const reply = Number(replies[i]);
      if (reply === 1) result.accepted.push(tick);
      else if (reply === 0) duplicates++;
      else if (reply === -1) stale++;
      else throw new Error(`unexpected reply ${String(replies[i])} from the apply-tick script`);
    });
    return { ...result, duplicates, stale };
  }

  private async execApply(commands: RedisArgument[][]): Promise<unknown[]> {
    for (let attempt = 0; ; attempt++) {
      const multi = this.client.multi();
      for (const command of commands) multi.addCommand(command);
      try {
        return await multi.exec();
      } catch (err) {
        const lostScripts = err instanceof MultiErrorReply && err.errorIndexes.length === commands.length && [...err.errors()].every(isNoScript);
        if (!lostScripts || attempt > 0) throw err;
        await loadScript(this.client, APPLY_TICK);
      }
    }
  }

  private tickKeys(symbol: string): string[] {
    const k = this.keys;
    return [k.latest(symbol), k.history(symbol), k.stats(symbol), k.symbols, ...CANDLE_INTERVAL_NAMES.map((i) => k.candles(symbol, i))];
  }

  private tickArgs(t: Tick): string[] {
    const { historyLimit, candleLimit } = this.options;
    return [
      t.symbol,
      String(t.seq),
      String(t.price),
      String(t.size),
      String(t.ts),
      encodeTick(t),
      String(historyLimit),
      String(candleLimit),
      this.ttl,
      String(utcDayStart(t.ts)),
      ...CANDLE_INTERVAL_NAMES.map((i) => String(bucketStart(t.ts, CANDLE_INTERVALS[i]))),
    ];
  }

  async latest(symbol: string): Promise<Tick | undefined> {
    return decodeTick(await this.client.get(this.keys.latest(symbol)));
  }

  async latestMany(symbols: readonly string[]): Promise<(Tick | undefined)[]> {
    if (symbols.length === 0) return [];
    const raw = await this.client.mGet(symbols.map((s) => this.keys.latest(s)));
    return raw.map(decodeTick);
  }

  async latestAll(): Promise<Tick[]> {
    const symbols = await this.knownSymbols();
    // A registered symbol whose keys expired reads as absent and is left out.
    return (await this.latestMany(symbols)).filter((t): t is Tick => t !== undefined);
  }

  private async knownSymbols(): Promise<string[]> {
    return (await this.client.sMembers(this.keys.symbols)).sort();
  }

  async recent(symbol: string, limit: number): Promise<Tick[]> {
    const n = Math.floor(limit);
    if (!(n >= 1)) return [];
    const raw = await this.client.zRange(this.keys.history(symbol), 0, n - 1, { REV: true });
    return decodeAll(raw);
  }

  async since(symbol: string, afterSeq: number): Promise<{ ticks: Tick[]; complete: boolean }> {
    const key = this.keys.history(symbol);
    const after = Number.isFinite(afterSeq) ? `(${afterSeq}` : afterSeq > 0 ? '+inf' : '-inf';
    // One transaction, so the oldest entry and the ticks after `afterSeq` come from the same state.
    const [oldestReply, newestReply, afterReply] = await this.client
      .multi()
      .zRangeWithScores(key, 0, 0)
      .zRangeWithScores(key, -1, -1)
      .zRange(key, after, '+inf', { BY: 'SCORE' })
      .exec();
    const oldest = (oldestReply as unknown as { score: number }[])[0];
    const newest = (newestReply as unknown as { score: number }[])[0];
    const ticks = decodeAll(afterReply as unknown as string[]);
    if (oldest === undefined || newest === undefined) return { ticks: [], complete: afterSeq <= 0 };
    // History always holds the latest tick: nothing after `afterSeq` means the caller is up to date,
    // unless it claims a seq this store never had (the source restarted its sequence).
    if (ticks.length === 0) return { ticks, complete: afterSeq === newest.score };
    return { ticks, complete: oldest.score <= afterSeq + 1 };
  }

  async candles(symbol: string, interval: CandleInterval, limit: number): Promise<CandleView[]> {
    const n = Math.floor(limit);
    if (!(n >= 1)) return [];
    const raw = await this.client.zRange(this.keys.candles(symbol, interval), -n, -1);
    return raw.map(decodeCandle);
  }

  async quote(symbol: string): Promise<Quote | undefined> {
    return (await this.quotesOf([symbol]))[0];
  }

  async quotes(): Promise<Quote[]> {
    return this.quotesOf(await this.knownSymbols());
  }

  /** Latest tick and day stats of each symbol, read in one transaction so they agree. */
  private async quotesOf(symbols: readonly string[]): Promise<Quote[]> {
    if (symbols.length === 0) return [];
    const multi = this.client.multi();
    for (const s of symbols) multi.get(this.keys.latest(s)).hGetAll(this.keys.stats(s));
    const replies: unknown[] = await multi.exec();
    const quotes: Quote[] = [];
    for (let i = 0; i < symbols.length; i++) {
      const latest = decodeTick(replies[2 * i] as string | null);
      const stats = decodeStats(replies[2 * i + 1] as Record<string, string>);
      if (latest !== undefined && stats !== undefined) quotes.push(toQuote(latest, stats));
    }
    return quotes;
  }
}

function decodeAll(raw: readonly string[]): Tick[] {
  return raw.map(decodeTick).filter((t): t is Tick => t !== undefined);
}
