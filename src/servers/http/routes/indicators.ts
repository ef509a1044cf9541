import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { indicatorNames, parseIndicatorNames, type IndicatorSpec, type IndicatorValue } from '../../../domain/analytics/catalogue.js';
import type { PriceStore } from '../../../ports/price-store.js';
import { symbolSet } from '../../../domain/symbol-universe.js';
import { sendError } from '../errors.js';
import { ErrorSchema, IntervalQuery, limitQuery, SymbolParam } from '../schemas.js';
import { IndicatorSeriesSchema } from './analytics-schemas.js';

interface IndicatorOptions {
  readonly store: PriceStore;
  readonly symbols: readonly string[] | ReadonlySet<string>;
  readonly maxLimit: number;
  readonly spec: IndicatorSpec;
}

/** /api/v1/indicators: what the analytics role stored, one series per indicator name. */
export const indicatorRoutes: FastifyPluginAsyncTypebox<IndicatorOptions> = async (app, { store, symbols, maxLimit, spec }) => {
  const universe = symbolSet(symbols);
  const all = indicatorNames(spec);

  app.get('/indicators/:symbol', {
    schema: {
      tags: ['market'],
      summary: 'Technical indicators of one symbol per candle, oldest first',
      description: `Names computed here: ${all.join(', ')}. \`time\` of each value is the \`time\` of its candle in /api/v1/candles.`,
      params: SymbolParam,
      querystring: Type.Object({
        interval: IntervalQuery,
        names: Type.String({ minLength: 1, maxLength: 500, default: 'sma:20,rsi:14', description: 'Comma-separated indicator names, e.g. `sma:20,ema:50,rsi:14`.' }),
        limit: limitQuery(maxLimit, 200),
      }),
      response: { 200: IndicatorSeriesSchema, 400: ErrorSchema, 404: ErrorSchema },
    },
  }, async (request, reply) => {
    const symbol = request.params.symbol.toUpperCase();
    if (!universe.has(symbol)) return sendError(reply, 'UNKNOWN_SYMBOL', `Symbol ${symbol} is not traded here.`);
    const parsed = parseIndicatorNames(request.query.names, spec);
    if ('unknown' in parsed) return sendError(reply, 'UNKNOWN_INDICATOR', `Indicator ${parsed.unknown} is not computed here; known: ${all.join(', ')}.`);
    const { interval, limit } = request.query;
    const points = await store.indicators(symbol, interval, limit);
    const indicators: Record<string, { time: number; value: IndicatorValue }[]> = {};
    for (const name of parsed.names) {
      indicators[name] = points.flatMap((p) => (p.values[name] === undefined ? [] : [{ time: p.time, value: p.values[name] }]));
    }
    return { symbol, interval, indicators };
  });
};
