import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { isCandleInterval } from '../../domain/candles.js';
import { TickstreamError } from '../../domain/errors.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import type { PriceStore } from '../../ports/price-store.js';
import { candleMessage, quoteMessage } from './messages.js';
import { unary } from './unary.js';

export interface MarketDataDeps {
  readonly store: PriceStore;
  /** A live set when ingest sources add symbols. */
  readonly universe: ReadonlySet<string>;
  readonly maxLimit: number;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

const DEFAULT_CANDLES = 200;

/** The unary methods of tickstream.v1.MarketData: the REST API's quotes and candles, same store. */
export function marketDataMethods(deps: MarketDataDeps): UntypedServiceImplementation {
  const { store, universe, maxLimit, metrics, logger } = deps;
  const known = (raw: string): string => {
    const symbol = raw.trim().toUpperCase();
    if (!universe.has(symbol)) throw new TickstreamError('UNKNOWN_SYMBOL', `Symbol ${symbol.slice(0, 32)} is not traded here.`);
    return symbol;
  };

  return {
    GetQuote: unary<{ symbol: string }, object>('GetQuote', metrics, logger, async (call) => {
      const symbol = known(call.request.symbol);
      const quote = await store.quote(symbol);
      if (!quote) throw new TickstreamError('NO_PRICE_YET', `No tick yet for ${symbol}.`);
      return quoteMessage(quote);
    }),

    ListQuotes: unary<{ symbols: string[] }, object>('ListQuotes', metrics, logger, async (call) => {
      const asked = call.request.symbols.map((s) => s.trim().toUpperCase()).filter((s) => s !== '');
      const unknown = [...new Set(asked.filter((s) => !universe.has(s)))];
      if (unknown.length > 0) throw new TickstreamError('UNKNOWN_SYMBOL', `Unknown symbol(s): ${unknown.slice(0, 20).join(', ')}.`);
      const wanted = new Set(asked);
      const quotes = (await store.quotes()).filter((q) => wanted.size === 0 || wanted.has(q.symbol));
      return { quotes: quotes.sort((a, b) => a.symbol.localeCompare(b.symbol)).map(quoteMessage) };
    }),

    GetCandles: unary<{ symbol: string; interval: string; limit: number }, object>('GetCandles', metrics, logger, async (call) => {
      const symbol = known(call.request.symbol);
      const interval = call.request.interval === '' ? '1m' : call.request.interval;
      if (!isCandleInterval(interval)) throw new TickstreamError('INVALID_INTERVAL');
      const limit = call.request.limit === 0 ? Math.min(DEFAULT_CANDLES, maxLimit) : call.request.limit;
      if (limit > maxLimit) throw new TickstreamError('INVALID_LIMIT', `The limit is at most ${maxLimit} (API_MAX_LIMIT).`);
      return { symbol, interval, candles: (await store.candles(symbol, interval, limit)).map(candleMessage) };
    }),
  };
}
