import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { utcDayStart } from '../../../domain/daily-stats.js';
import type { OrderCommand } from '../../../domain/orders/commands.js';
import { toMoney } from '../../../domain/orders/money.js';
import { checkOrder } from '../../../domain/orders/order.js';
import { fillView, orderView } from '../../../domain/orders/records.js';
import type { Database } from '../../../ports/database.js';
import { audit } from '../../../observability/audit.js';
import { valuePortfolio } from '../../../services/portfolio-valuation.js';
import { BEARER, requireUser, userOf, type AccountsDeps, type TradingDeps } from '../auth.js';
import { sendError } from '../errors.js';
import { ErrorSchema } from '../schemas.js';
import { IdParams } from './alert-schemas.js';
import { bodySymbol } from './alerts.js';
import { CreateOrder, FillListQuery, FillSchema, OrderListQuery, OrderSchema, PortfolioSchema } from './order-schemas.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema };
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;

/**
 * /api/v1 orders, fills and portfolio: the token's user's, and only theirs (another user's order id
 * answers 404 like an unknown one). An order is written to the database before its command goes
 * on the queue, so a queue that fails after the commit delays the order (the orders role re-reads
 * open orders) but never loses it.
 */
export const orderRoutes: FastifyPluginAsyncTypebox<AccountsDeps & { trading: TradingDeps }> = async (app, deps) => {
  const { db, trading } = deps;
  const universe = new Set(deps.symbols);
  app.addHook('onRequest', requireUser(deps.tokens));

  const command = async (message: OrderCommand, id: string, reply: FastifyReply) => {
    try {
      await trading.queue.publish(message, { id });
    } catch (error) {
      reply.log.warn({ err: error, command: message }, 'order command not confirmed; the orders role picks the order up from the database');
    }
  };

  app.post('/orders', {
    schema: {
      tags: ['trading'],
      summary: 'Submit a paper order',
      description: 'With an `Idempotency-Key` header, submitting again with the same key returns the order the first submission created (200) instead of a new one.',
      security: BEARER,
      headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ description: '1 to 128 printable ASCII characters.' })) }),
      body: CreateOrder,
      response: { 201: OrderSchema, 200: OrderSchema, ...errors, 422: ErrorSchema },
    },
  }, async (request, reply) => {
    const key = request.headers['idempotency-key'];
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) return sendError(reply, 'INVALID_IDEMPOTENCY_KEY');
    const symbol = bodySymbol(universe, request.body.symbol, reply);
    if (!symbol) return reply;
    const checked = checkOrder({ ...request.body, symbol }, trading.rules.lotSize);
    if (!checked.ok) return sendError(reply, checked.code, checked.message);
    const latest = await trading.store.latest(symbol);
    const result = await db.orders.submit({
      userId: userOf(request).id,
      request: checked.value,
      idempotencyKey: key,
      latest: latest && { price: toMoney(latest.price), seq: latest.seq },
      day: utcDayStart(Date.now()),
      startingCash: trading.rules.startingCash,
    });
    if (!result.ok) return sendError(reply, result.code, result.message);
    if (result.created) {
      const o = result.order;
      audit(request.log, 'order.submitted', { userId: o.userId, orderId: o.id, symbol: o.symbol, side: o.side, type: o.type, quantity: o.quantity, limitPrice: orderView(o).limitPrice, stopPrice: orderView(o).stopPrice, timeInForce: o.timeInForce, idempotencyKey: key !== undefined });
      await command({ kind: 'submit', orderId: o.id }, `submit-${o.id}`, reply);
    }
    else void reply.header('idempotent-replayed', 'true');
    return reply.code(result.created ? 201 : 200).send(orderView(result.order));
  });

  app.get('/orders', {
    schema: { tags: ['trading'], summary: 'Your orders, newest first', security: BEARER, querystring: OrderListQuery, response: { 200: Type.Object({ orders: Type.Array(OrderSchema) }), ...errors } },
  }, async (request) => {
    const { status, symbol, limit } = request.query;
    return { orders: (await db.orders.list(userOf(request).id, { status, symbol: symbol?.toUpperCase(), limit })).map(orderView) };
  });

  app.get('/orders/:id', {
    schema: { tags: ['trading'], summary: 'One of your orders', security: BEARER, params: IdParams, response: { 200: OrderSchema, ...errors } },
  }, async (request, reply) => {
    const order = await db.orders.get(userOf(request).id, request.params.id);
    return order ? orderView(order) : sendError(reply, 'ORDER_NOT_FOUND');
  });

  app.delete('/orders/:id', {
    schema: { tags: ['trading'], summary: 'Cancel an open order (its reservation is released)', security: BEARER, params: IdParams, response: { 200: OrderSchema, ...errors, 409: ErrorSchema } },
  }, async (request, reply) => {
    const user = userOf(request).id;
    const result = await db.orders.cancel(user, request.params.id);
    if (result === 'not_found') return sendError(reply, 'ORDER_NOT_FOUND');
    if (result === 'closed') return sendError(reply, 'ORDER_NOT_CANCELABLE');
    audit(request.log, 'order.canceled', { userId: user, orderId: result.id, symbol: result.symbol, filledQuantity: result.filledQuantity, quantity: result.quantity, by: 'user' });
    await command({ kind: 'cancel', orderId: result.id, userId: user }, `cancel-${result.id}`, reply);
    return orderView(result);
  });

  app.get('/fills', {
    schema: { tags: ['trading'], summary: 'Your fills, newest first', security: BEARER, querystring: FillListQuery, response: { 200: Type.Object({ fills: Type.Array(FillSchema) }), ...errors } },
  }, async (request) => ({ fills: (await db.orders.fills(userOf(request).id, request.query)).map(fillView) }));

  const portfolio = (database: Database, userId: number) => valuePortfolio(database, trading.store, userId, trading.rules);

  app.get('/portfolio', {
    schema: { tags: ['trading'], summary: 'Your cash, positions and P&L at the latest prices', security: BEARER, response: { 200: PortfolioSchema, ...errors } },
  }, async (request) => portfolio(db, userOf(request).id));

  app.post('/portfolio/reset', {
    schema: { tags: ['trading'], summary: 'Start over: starting cash, no positions, orders or fills', security: BEARER, response: { 200: PortfolioSchema, ...errors } },
  }, async (request) => {
    await db.orders.reset(userOf(request).id, trading.rules.startingCash);
    audit(request.log, 'portfolio.reset', { userId: userOf(request).id });
    return portfolio(db, userOf(request).id);
  });
};
