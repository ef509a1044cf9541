import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { parseTick, type Tick } from '../../../domain/tick.js';
import type { EventLog } from '../../../ports/event-log.js';
import { errorBody } from '../errors.js';
import { ErrorSchema } from '../schemas.js';

interface TestTicksOptions {
  readonly log: EventLog<Tick>;
  readonly symbols: readonly string[];
}

const TickInput = Type.Object(
  {
    symbol: Type.String(),
    price: Type.Number({ exclusiveMinimum: 0 }),
    seq: Type.Integer({ minimum: 1 }),
    ts: Type.Optional(Type.Integer()),
    size: Type.Optional(Type.Number({ minimum: 0 })),
  },
  { additionalProperties: false },
);

/**
 * TEST ONLY (TEST_TICK_INJECTION=true): appends the given ticks to the tick log as if a feed had
 * produced them, so tests can drive prices across thresholds and replay seqs. Never mounted
 * otherwise; the process logs a warning at start when it is.
 */
export const testTickRoutes: FastifyPluginAsyncTypebox<TestTicksOptions> = async (app, { log, symbols }) => {
  const universe = new Set(symbols);
  app.post('/test/ticks', {
    schema: {
      tags: ['test'],
      summary: 'TEST ONLY: append ticks to the log',
      body: Type.Object({ ticks: Type.Array(TickInput, { minItems: 1, maxItems: 10_000 }) }, { additionalProperties: false }),
      response: { 202: Type.Object({ appended: Type.Integer() }), 400: ErrorSchema },
    },
  }, async (request, reply) => {
    const now = Date.now();
    const ticks: Tick[] = [];
    for (const input of request.body.ticks) {
      const tick = parseTick({ size: 100, ts: now, source: 'test', ...input });
      if (!tick || !universe.has(tick.symbol)) return reply.code(400).send(errorBody('UNKNOWN_SYMBOL', `Symbol ${input.symbol.slice(0, 32)} is not traded here.`));
      ticks.push(tick);
    }
    await log.append(ticks.map((t) => ({ key: t.symbol, value: t })));
    return reply.code(202).send({ appended: ticks.length });
  });
};
