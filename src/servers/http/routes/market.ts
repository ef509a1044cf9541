import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { rankWindowMovers } from '../../../domain/analytics/window-movers.js';
import { topMovers } from '../../../domain/daily-stats.js';
import type { PriceStore } from '../../../ports/price-store.js';
import { sendError } from '../errors.js';
import { inline, WindowMoversSchema, WindowQuery } from './analytics-schemas.js';
import { CandleSchema, ErrorSchema, IntervalQuery, limitQuery, QuoteSchema, SymbolParam, TickSchema } from '../schemas.js';
import { symbolSet } from '../../../domain/symbol-universe.js';

interface MarketOptions {
  readonly store: PriceStore;
  /** A live set when ingest sources add symbols. */
  readonly symbols: readonly string[] | ReadonlySet<string>;
  readonly maxLimit: number;
}

/** /api/v1 market data. */
export const marketRoutes: FastifyPluginAsyncTypebox<MarketOptions> = async (app, { store, symbols, maxLimit }) => {
  const universe = symbolSet(symbols);
  const notFound = { 404: ErrorSchema };

  /** Uppercases a path symbol, or answers 404 UNKNOWN_SYMBOL and returns undefined. */
  const known = (raw: string, reply: FastifyReply): string | undefined => {
    const symbol = raw.toUpperCase();
    if (universe.has(symbol)) return symbol;
    void sendError(reply, 'UNKNOWN_SYMBOL', `Symbol ${symbol} is not traded here.`);
    return undefined;
  };

  app.get('/symbols', {
    schema: { tags: ['market'], summary: 'Symbols traded here', response: { 200: Type.Object({ symbols: Type.Array(Type.String()) }) } },
  }, async () => ({ symbols: [...universe] }));

  app.get('/quotes', {
    schema: { tags: ['market'], summary: 'Quote of every symbol with a price', response: { 200: Type.Object({ quotes: Type.Array(QuoteSchema) }) } },
  }, async () => ({ quotes: (await store.quotes()).sort((a, b) => a.symbol.localeCompare(b.symbol)) }));

  app.get('/quotes/:symbol', {
    schema: { tags: ['market'], summary: 'Quote of one symbol: last trade and the day’s statistics', params: SymbolParam, response: { 200: QuoteSchema, ...notFound } },
  }, async (request, reply) => {
    const symbol = known(request.params.symbol, reply);
    if (!symbol) return reply;
    const quote = await store.quote(symbol);
    return quote ?? sendError(reply, 'NO_PRICE_YET', `No tick yet for ${symbol}.`);
  });

  app.get('/ticks/:symbol', {
    schema: {
      tags: ['market'],
      summary: 'Recent ticks of one symbol, newest first',
      params: SymbolParam,
      querystring: Type.Object({ limit: limitQuery(maxLimit, 100) }),
      response: { 200: Type.Object({ symbol: Type.String(), ticks: Type.Array(TickSchema) }), 400: ErrorSchema, ...notFound },
    },
  }, async (request, reply) => {
    const symbol = known(request.params.symbol, reply);
    if (!symbol) return reply;
    const ticks = await store.recent(symbol, request.query.limit);
    return { symbol, ticks: ticks.map((t) => ({ ...t, timestamp: new Date(t.ts).toISOString() })) };
  });

  app.get('/candles/:symbol', {
    schema: {
      tags: ['market'],
      summary: 'OHLCV candles of one symbol, oldest first',
      params: SymbolParam,
      querystring: Type.Object({ interval: IntervalQuery, limit: limitQuery(maxLimit, 200) }),
      response: { 200: Type.Object({ symbol: Type.String(), interval: Type.String(), candles: Type.Array(CandleSchema) }), 400: ErrorSchema, ...notFound },
    },
  }, async (request, reply) => {
    const symbol = known(request.params.symbol, reply);
    if (!symbol) return reply;
    const { interval, limit } = request.query;
    return { symbol, interval, candles: await store.candles(symbol, interval, limit) };
  });

  app.get('/movers', {
    schema: {
      tags: ['market'],
      summary: 'Top gainers, losers and most active symbols of the day, or over a window',
      querystring: Type.Object({ limit: limitQuery(Math.max(1, universe.size), 5), window: Type.Optional(WindowQuery) }),
      response: {
        200: Type.Union([
          Type.Object({ gainers: Type.Array(inline(QuoteSchema)), losers: Type.Array(inline(QuoteSchema)), mostActive: Type.Array(inline(QuoteSchema)) }, { title: 'DayMovers' }),
          WindowMoversSchema,
        ]),
        400: ErrorSchema,
      },
    },
  }, async (request) => {
    const { window, limit } = request.query;
    if (window === undefined) return topMovers(await store.quotes(), limit);
    return rankWindowMovers(window, await store.windowStats(window), limit);
  });
};
