import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Alert } from '../../../domain/alerts/alert.js';
import { requireUser, userOf, BEARER, type AccountsDeps } from '../auth.js';
import { sendError } from '../errors.js';
import { audit } from '../../../observability/audit.js';
import { ErrorSchema } from '../schemas.js';
import { ERROR_CODE } from '../strict-validation.js';
import { LegacyAlertSchema } from './alert-schemas.js';
import { bodySymbol } from './alerts.js';
import { symbolSet } from '../../../domain/symbol-universe.js';

const UserId = Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'Must be the token’s user.' });
const LegacyCreate = Type.Object(
  {
    user_id: UserId,
    symbol: Type.String({ minLength: 1, maxLength: 32 }),
    target_price: Type.Number({ exclusiveMinimum: 0, [ERROR_CODE]: 'INVALID_PRICE' }),
    condition: Type.Union([Type.Literal('ABOVE'), Type.Literal('BELOW')], { [ERROR_CODE]: 'INVALID_CONDITION' }),
  },
  { additionalProperties: false },
);
const LegacyList = Type.Object(
  { user_id: Type.Optional(UserId), active_only: Type.Boolean({ default: false }) },
  { additionalProperties: false },
);

const toLegacy = (userId: number, a: Alert) => ({
  id: a.id,
  user_id: userId,
  symbol: a.symbol,
  target_price: a.threshold,
  condition: a.condition.toUpperCase(),
  is_active: a.status === 'active',
  created_at: a.createdAt,
  triggered_at: a.triggeredAt,
});

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema };

/**
 * The alert routes of reference/gostocks-alerts.md with its field names. `user_id` is kept for
 * compatibility but authorizes nothing: it must equal the bearer token's user (403 otherwise).
 * ABOVE/BELOW are one-shot `above`/`below` alerts, the same alerts /api/v1/alerts manages.
 */
export const legacyAlertRoutes: FastifyPluginAsyncTypebox<AccountsDeps> = async (app, deps) => {
  const { db, listener, maxAlertsPerUser } = deps;
  const universe = symbolSet(deps.symbols);
  app.addHook('onRequest', requireUser(deps.tokens));

  app.post('/alerts', {
    schema: { tags: ['compat'], summary: 'Create a price alert (gostocks shape)', security: BEARER, body: LegacyCreate, response: { 201: LegacyAlertSchema, ...errors, 409: ErrorSchema } },
  }, async (request, reply) => {
    const user = userOf(request);
    const body = request.body;
    if (body.user_id !== user.id) return sendError(reply, 'FORBIDDEN');
    const symbol = bodySymbol(universe, body.symbol, reply);
    if (!symbol) return reply;
    const condition = body.condition === 'ABOVE' ? 'above' : 'below';
    const created = await db.alerts.create(user.id, { symbol, condition, threshold: body.target_price, mode: 'once', cooldownSeconds: 0, note: null }, maxAlertsPerUser);
    if (!created) return sendError(reply, 'TOO_MANY_ALERTS', `At most ${maxAlertsPerUser} alerts per user.`);
    listener.changed(created.rule);
    audit(request.log, 'alert.created', { userId: user.id, alertId: created.alert.id, symbol, condition, threshold: body.target_price });
    return reply.code(201).send(toLegacy(user.id, created.alert));
  });

  app.get('/alerts', {
    schema: {
      tags: ['compat'],
      summary: 'List price alerts (gostocks shape); user_id defaults to the token’s user',
      security: BEARER,
      querystring: LegacyList,
      response: { 200: Type.Object({ alerts: Type.Array(LegacyAlertSchema) }), ...errors },
    },
  }, async (request, reply) => {
    const user = userOf(request);
    const { user_id: asked, active_only: activeOnly } = request.query;
    if (asked !== undefined && asked !== user.id) return sendError(reply, 'FORBIDDEN');
    const alerts = await db.alerts.list(user.id, activeOnly ? 'active' : undefined);
    return { alerts: alerts.map((a) => toLegacy(user.id, a)) };
  });
};
