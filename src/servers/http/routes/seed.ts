import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { symbolSet } from '../../../domain/symbol-universe.js';
import type { PriceStore } from '../../../ports/price-store.js';
import { legacyError } from '../errors.js';
import { ERROR_CODE } from '../strict-validation.js';
import { envelope, LegacyErrorSchema } from '../schemas.js';

interface SeedOptions {
  readonly store: PriceStore;
  readonly symbols: readonly string[] | ReadonlySet<string>;
  readonly maxLimit: number;
}

const errors = { 400: LegacyErrorSchema, 404: LegacyErrorSchema };

/**
 * The routes of reference/stock-streaming-kafka-redis-ws.md, with its messages and shapes, so
 * clients written for it keep working. History is newest first, as its Redis ZREVRANGE was.
 */
export const seedRoutes: FastifyPluginAsyncTypebox<SeedOptions> = async (app, { store, symbols, maxLimit }) => {
  const universe = symbolSet(symbols);

  app.get('/prices', {
    schema: { tags: ['compat'], summary: 'Latest price of every symbol', response: { 200: envelope(Type.Record(Type.String(), Type.Number())) } },
  }, async () => {
    const data: Record<string, number> = {};
    for (const t of await store.latestAll()) data[t.symbol] = t.price;
    return { message: 'successfully send all the prices', data, success: true };
  });

  app.get('/price/:symbol', {
    schema: {
      tags: ['compat'],
      summary: 'Latest price of one symbol',
      params: Type.Object({ symbol: Type.String() }),
      response: { 200: envelope(Type.Object({ symbol: Type.String(), price: Type.Number() })), ...errors },
    },
  }, async (request, reply) => {
    const symbol = request.params.symbol.toUpperCase();
    if (!universe.has(symbol)) return reply.code(404).send(legacyError('UNKNOWN_SYMBOL', `symbol ${symbol} is not traded here`));
    const latest = await store.latest(symbol);
    if (!latest) return reply.code(404).send(legacyError('NO_PRICE_YET', `no price yet for ${symbol}`));
    return { message: 'successfully send price for the symbol', data: { symbol, price: latest.price }, success: true };
  });

  app.get('/price/history/:symbol/:limit', {
    schema: {
      tags: ['compat'],
      summary: 'Recent prices of one symbol, newest first',
      description: `\`limit\` above ${maxLimit} is treated as ${maxLimit}.`,
      params: Type.Object({ symbol: Type.String(), limit: Type.String({ pattern: '^[0-9]+$', [ERROR_CODE]: 'INVALID_LIMIT' }) }),
      response: { 200: envelope(Type.Array(Type.Number())), ...errors },
    },
  }, async (request, reply) => {
    const symbol = request.params.symbol.toUpperCase();
    const limit = Number(request.params.limit);
    if (!Number.isSafeInteger(limit) || limit < 1) return reply.code(400).send(legacyError('INVALID_LIMIT', 'limit must be a whole number ≥ 1'));
    if (!universe.has(symbol)) return reply.code(404).send(legacyError('UNKNOWN_SYMBOL', `symbol ${symbol} is not traded here`));
    const ticks = await store.recent(symbol, Math.min(limit, maxLimit));
    return { message: 'successfully send price history', data: ticks.map((t) => t.price), success: true };
  });
};
