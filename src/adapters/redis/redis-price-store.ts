import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay, type BackoffPolicy } from '../../domain/backoff.js';
import { CANDLE_INTERVAL_NAMES, type CandleInterval, type CandleView } from '../../domain/candles.js';
import { toQuote, type Quote } from '../../domain/daily-stats.js';
import type { IndicatorPoint } from '../../domain/analytics/symbol-analytics.js';
import type { MoverWindow, WindowStats } from '../../domain/analytics/window-movers.js';
import { continuesWithoutGap, type Tick } from '../../domain/tick.js';
import type { StoredIndicatorPoint } from '../../ports/analytics-store.js';
import type { ApplyResult, PriceStore } from '../../ports/price-store.js';
import { freshEpoch } from '../epoch.js';
import { groupBy } from '../group-by.js';
import { pingWithin, type RedisClient } from './connection.js';
import { connectionsFor, type Lease, type RedisConnections, type RedisReach } from './redis-connections.js';
import { RedisAnalytics } from './redis-analytics.js';
import { decodeCandle, decodeStats, decodeStoredCandle, decodeTick, priceStoreKeys } from './price-store-encoding.js';
import { olderBuckets, planRun, type OlderCandles, type StoredCandle, type SymbolState, type TickOutcome } from './symbol-run.js';

export interface RedisPriceStoreOptions extends RedisReach {
  /** Prefix of every key, e.g. `ts:`. */
  readonly prefix: string;
  readonly historyLimit: number;
  readonly candleLimit: number;
  /** Indicator points kept per symbol and interval; `candleLimit` when unset. */
  readonly indicatorLimit?: number;
  /** Expiry of every key, refreshed on each accepted tick of its symbol; 7 days by default. */
  readonly ttlSeconds?: number;
}

const DEFAULT_TTL_SECONDS = 7 * 24 * 3600;
/** Symbols whose state a writer keeps between batches; beyond this the least recently written is read again when next needed. */
const STATE_CACHE_LIMIT = 10_000;
/** Rounds against other writers of the same symbols before a batch fails (and is redelivered by the log). */
const MAX_ATTEMPTS = 50;
/** After a lost race: up to 4 ms, 8 ms, … 50 ms, all of it random ("full jitter"), so racing writers spread out. */
const CONFLICT_PAUSE: BackoffPolicy = { initialMs: 4, maxMs: 50, factor: 2, jitter: 1 };

/**
 * PriceStore on Redis, shared by every processor, gateway and API process.
 *
 * Writing is optimistic, per symbol. The writer keeps each symbol's state (latest seq, day stats,
 * newest candle of each series) from its last read or write, folds the symbol's ticks of a batch
 * into it with the domain's own functions (symbol-run.ts: compare-and-set on `seq`, candles, day
 * stats, exactly as MemoryPriceStore), and sends the result as one Lua script run
 * (lua/write-symbol-run.ts) that writes only if the stored latest `seq` is still the one the
 * computation started from. Another processor having written the symbol meanwhile is a conflict:
 * the writer reads the symbol again and recomputes. So the check and the write are one atomic
 * step, each tick's outcome is decided against the current state, and Redis — the one part every
 * processor shares — only stores, while the arithmetic scales out with the processors. In steady
 * state (one processor per partition) there are no conflicts and no reads: one round trip a batch.
 *
 * A batch is one MULTI/EXEC of those script calls. node-redis sends the first call of a
 * transaction as EVAL (source included) and the rest as EVALSHA, so a lost script cache (restart,
 * failover) cannot fail part of a batch: the EVAL reloads the script inside the same EXEC.
 *
 * Keys (see price-store-encoding.ts) all expire after `ttlSeconds` without writes, so symbols that
 * stop trading do not stay forever. Redis must not evict them under memory pressure
 * (maxmemory-policy noeviction, or enough memory): an evicted `latest` key would let an older tick
 * in.
 */
export class RedisPriceStore implements PriceStore {
  private readonly connections: RedisConnections;
  private readonly client: RedisClient;
  private lease: Lease | undefined;
  private readonly keys: ReturnType<typeof priceStoreKeys>;
  private readonly ttl: string;
  /** What this writer knows of each symbol it wrote or read (see symbol-run.ts). */
  private readonly states = new Map<string, SymbolState>();
  private readonly analytics: RedisAnalytics;

  constructor(private readonly options: RedisPriceStoreOptions) {
    for (const [name, value] of [['historyLimit', options.historyLimit], ['candleLimit', options.candleLimit]] as const) {
      if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
    }
    const ttl = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
    if (!Number.isInteger(ttl) || ttl < 1) throw new Error('ttlSeconds must be a positive integer');
    this.ttl = String(ttl);
    this.keys = priceStoreKeys(options.prefix);
    this.connections = connectionsFor(options);
    this.client = this.connections.commandClient;
    this.analytics = new RedisAnalytics(this.client, options.prefix, options.indicatorLimit ?? options.candleLimit, this.ttl);
  }

  async start(): Promise<void> {
    this.lease = await this.connections.leaseCommands();
  }

  async close(): Promise<void> {
    await this.lease?.release();
  }

  /** Created by the first store to ask (SET NX) and read back in the same transaction. */
  async epoch(): Promise<string> {
    const [, epoch] = await this.client.multi().set(this.keys.epoch, freshEpoch(), { condition: 'NX' }).get(this.keys.epoch).exec();
    return String(epoch);
  }

  async ping(): Promise<void> {
    await pingWithin(this.client);
  }

  async applyTicks(ticks: readonly Tick[]): Promise<ApplyResult> {
    const result: ApplyResult = { accepted: [], duplicates: 0, stale: 0 };
    if (ticks.length === 0) return result;
    const runs = groupBy(ticks, (t) => t.symbol);
    const outcomes = new Map<string, TickOutcome[]>();
    let pending = [...runs.keys()];
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > MAX_ATTEMPTS) throw new Error(`could not apply the ticks of ${pending.join(', ')}: other writers kept changing them`);
      // A writer that just lost reads before it writes, so one writing without pause would win
      // every race: a growing random pause lets it through.
      if (attempt > 1) await sleep(backoffDelay(attempt - 2, CONFLICT_PAUSE));
      pending = await this.tryWrite(pending, runs, outcomes);
    }
    // Each symbol's outcomes, read back in batch order so `accepted` keeps it.
    const next = new Map<string, number>();
    let duplicates = 0;
    let stale = 0;
    for (const tick of ticks) {
      const i = next.get(tick.symbol) ?? 0;
      next.set(tick.symbol, i + 1);
      const outcome = outcomes.get(tick.symbol)![i];
      if (outcome === 1) result.accepted.push(tick);
      else if (outcome === 0) duplicates++;
      else stale++;
    }
    return { ...result, duplicates, stale };
  }

  /** One attempt for each symbol of `symbols`; resolves with those another writer changed meanwhile. */
  private async tryWrite(symbols: readonly string[], runs: ReadonlyMap<string, readonly Tick[]>, outcomes: Map<string, TickOutcome[]>): Promise<string[]> {
    try {
      const states = await this.statesOf(symbols);
      const older = await this.olderCandles(symbols, states, runs);
      const limits = { historyLimit: this.options.historyLimit, candleLimit: this.options.candleLimit, ttl: this.ttl };
      const plans = symbols.map((symbol, i) => planRun(states[i]!, runs.get(symbol)!, older[i]!, limits));
      const multi = this.client.multi();
      symbols.forEach((symbol, i) => multi.writeSymbolRun(this.symbolKeys(symbol), [states[i]!.seq === undefined ? '' : String(states[i]!.seq), symbol, ...plans[i]!.args]));
      const replies: unknown[] = await multi.exec();
      const conflicted: string[] = [];
      symbols.forEach((symbol, i) => {
        if (Number(replies[i]) === 1) {
          outcomes.set(symbol, plans[i]!.outcomes);
          this.remember(symbol, plans[i]!.next);
        } else {
          this.states.delete(symbol);
          conflicted.push(symbol);
        }
      });
      return conflicted;
    } catch (err) {
      // The writes may have landed without us hearing back: read these symbols afresh next time.
      for (const symbol of symbols) this.states.delete(symbol);
      throw err;
    }
  }

  /** The cached state of each symbol; the ones not cached are read in one transaction. */
  private async statesOf(symbols: readonly string[]): Promise<SymbolState[]> {
    const missing = symbols.filter((s) => !this.states.has(s));
    if (missing.length > 0) {
      const multi = this.client.multi();
      for (const symbol of missing) {
        multi.get(this.keys.latest(symbol)).hGetAll(this.keys.stats(symbol));
        for (const interval of CANDLE_INTERVAL_NAMES) multi.zRange(this.keys.candles(symbol, interval), -1, -1);
      }
      const replies: unknown[] = await multi.exec();
      const width = 2 + CANDLE_INTERVAL_NAMES.length;
      missing.forEach((symbol, i) => {
        const at = i * width;
        const newest = CANDLE_INTERVAL_NAMES.map((_, s) => {
          const member = (replies[at + 2 + s] as string[])[0];
          return member === undefined ? undefined : { candle: decodeStoredCandle(member), member };
        });
        const latest = decodeTick(replies[at] as string | null);
        this.remember(symbol, { seq: latest?.seq, stats: decodeStats(replies[at + 1] as Record<string, string>), newest });
      });
    }
    return symbols.map((s) => this.states.get(s)!);
  }

  /** Candles older than a series' newest that the runs reach into (late source timestamps): rare, so read on demand. */
  private async olderCandles(symbols: readonly string[], states: readonly SymbolState[], runs: ReadonlyMap<string, readonly Tick[]>): Promise<OlderCandles[]> {
    const wanted = symbols.map((symbol, i) => olderBuckets(states[i]!, runs.get(symbol)!));
    const reads: { i: number; s: number; time: number }[] = [];
    wanted.forEach((series, i) => series.forEach((times, s) => times.forEach((time) => reads.push({ i, s, time }))));
    const older = symbols.map(() => CANDLE_INTERVAL_NAMES.map(() => new Map<number, StoredCandle>()));
    if (reads.length === 0) return older;
    const multi = this.client.multi();
    for (const { i, s, time } of reads) multi.zRange(this.keys.candles(symbols[i]!, CANDLE_INTERVAL_NAMES[s]!), time, time, { BY: 'SCORE' });
    const replies: unknown[] = await multi.exec();
    reads.forEach(({ i, s, time }, r) => {
      const member = (replies[r] as string[])[0];
      if (member !== undefined) older[i]![s]!.set(time, { candle: decodeStoredCandle(member), member });
    });
    return older;
  }

  private remember(symbol: string, state: SymbolState): void {
    // Re-inserted, so the first key is the least recently written one.
    this.states.delete(symbol);
    this.states.set(symbol, state);
    if (this.states.size > STATE_CACHE_LIMIT) this.states.delete(this.states.keys().next().value!);
  }

  private symbolKeys(symbol: string): string[] {
    const k = this.keys;
    return [k.latest(symbol), k.history(symbol), k.stats(symbol), k.symbols, ...CANDLE_INTERVAL_NAMES.map((i) => k.candles(symbol, i))];
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
    return { ticks, complete: oldest.score <= afterSeq + 1 && continuesWithoutGap(ticks, afterSeq) };
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

  putIndicators(points: readonly IndicatorPoint[]): Promise<void> {
    return this.analytics.putIndicators(points);
  }

  indicators(symbol: string, interval: CandleInterval, limit: number): Promise<StoredIndicatorPoint[]> {
    return this.analytics.indicators(symbol, interval, limit);
  }

  putWindowStats(window: MoverWindow, stats: readonly WindowStats[], gone?: readonly string[]): Promise<void> {
    return this.analytics.putWindowStats(window, stats, gone);
  }

  windowStats(window: MoverWindow): Promise<WindowStats[]> {
    return this.analytics.windowStats(window);
  }
}

function decodeAll(raw: readonly string[]): Tick[] {
  return raw.map(decodeTick).filter((t): t is Tick => t !== undefined);
}
