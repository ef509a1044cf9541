import type { Random } from './random.js';
import type { Tick } from './tick.js';

/** Seconds in a trading year (252 sessions of 6.5 h): drift and volatility are annualised. */
export const TRADING_SECONDS_PER_YEAR = 252 * 6.5 * 3600;

export interface SymbolModel {
  readonly symbol: string;
  readonly basePrice: number;
  /** Annualised drift μ of log returns + σ²/2 (the GBM parameter). */
  readonly drift: number;
  /** Annualised volatility σ. */
  readonly volatility: number;
}

export interface MarketOptions {
  /** Market seconds that pass per real second; > 1 makes a quiet simulation visibly move. */
  readonly speed: number;
  readonly source: string;
}

/** Prices under $1 trade in 1/100 of a cent, above it in cents (as on US equity venues). */
export function roundToTick(price: number): number {
  const tick = price < 1 ? 10_000 : 100;
  return Math.max(1 / tick, Math.round(price * tick) / tick);
}

/** Mostly round lots of 100, some odd lots, a heavy tail of block trades. */
export function tradeSize(random: Random): number {
  if (random.next() < 0.25) return 1 + Math.floor(random.next() * 99);
  const lots = Math.max(1, Math.round(Math.exp(random.normal() * 0.9)));
  return lots * 100;
}

interface SymbolState {
  readonly model: SymbolModel;
  /** Unrounded price: rounding each step would bias the walk. */
  price: number;
  lastTs: number | undefined;
  seq: number;
}

/**
 * Geometric Brownian motion per symbol: S(t+dt) = S(t)·exp((μ − σ²/2)dt + σ√dt·Z).
 * `dt` is the market time since that symbol's previous tick, so the statistics do not depend on
 * the tick rate. Pure: the caller passes the clock reading and the random source.
 */
export class Market {
  private readonly states: SymbolState[];
  private readonly bySymbol = new Map<string, SymbolState>();

  constructor(
    models: readonly SymbolModel[],
    private readonly random: Random,
    private readonly options: MarketOptions,
  ) {
    if (models.length === 0) throw new Error('a market needs at least one symbol');
    this.states = models.map((model) => ({ model, price: model.basePrice, lastTs: undefined, seq: 0 }));
    for (const s of this.states) this.bySymbol.set(s.model.symbol, s);
  }

  get symbols(): string[] {
    return this.states.map((s) => s.model.symbol);
  }

  /** Continues a symbol's sequence after a restart, so `seq` stays strictly increasing. */
  resume(symbol: string, lastSeq: number, lastPrice: number): void {
    const state = this.bySymbol.get(symbol);
    if (!state) return;
    state.seq = Math.max(state.seq, lastSeq);
    if (lastPrice > 0) state.price = lastPrice;
  }

  /** The next tick of a symbol chosen uniformly at random. */
  next(nowMs: number): Tick {
    const index = Math.floor(this.random.next() * this.states.length);
    return this.step(this.states[index]!, nowMs);
  }

  nextFor(symbol: string, nowMs: number): Tick {
    const state = this.bySymbol.get(symbol);
    if (!state) throw new Error(`unknown symbol ${symbol}`);
    return this.step(state, nowMs);
  }

  private step(state: SymbolState, nowMs: number): Tick {
    const { drift, volatility } = state.model;
    if (state.lastTs !== undefined) {
      const dt = (Math.max(0, nowMs - state.lastTs) / 1000) * this.options.speed / TRADING_SECONDS_PER_YEAR;
      if (dt > 0) {
        const z = this.random.normal();
        state.price *= Math.exp((drift - (volatility * volatility) / 2) * dt + volatility * Math.sqrt(dt) * z);
      }
    }
    state.lastTs = nowMs;
    state.seq += 1;
    return {
      symbol: state.model.symbol,
      price: roundToTick(state.price),
      size: tradeSize(this.random),
      ts: nowMs,
      seq: state.seq,
      source: this.options.source,
    };
  }
}

/** Plausible mid-2020s prices for the default universe. */
export const DEFAULT_UNIVERSE: Readonly<Record<string, number>> = {
  AAPL: 190,
  GOOGL: 140,
  // Both Alphabet share classes trade; the watchlist seed's clients ask for GOOG.
  GOOG: 141,
  MSFT: 410,
  AMZN: 180,
  TSLA: 240,
  META: 480,
  NVDA: 880,
  NFLX: 610,
  AMD: 160,
  INTC: 43,
  JPM: 195,
  V: 275,
  BAC: 37,
  KO: 61,
  DIS: 112,
  ORCL: 125,
  IBM: 185,
};
