import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { ALERT_STATUSES } from '../../../domain/alerts/alert.js';
import { BEARER, requireUser, userOf, type AccountsDeps } from '../auth.js';
import { errorBody, sendError } from '../errors.js';
import { audit } from '../../../observability/audit.js';
import { ErrorSchema } from '../schemas.js';
import { AlertEventSchema, AlertSchema, CreateAlert, IdParams, PatchAlert } from './alert-schemas.js';
import { symbolSet } from '../../../domain/symbol-universe.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema };

/** Accepts a body symbol if traded here: uppercased, or undefined after answering 400 UNKNOWN_SYMBOL. */
export function bodySymbol(universe: ReadonlySet<string>, raw: string, reply: FastifyReply): string | undefined {
  const symbol = raw.toUpperCase();
  if (universe.has(symbol)) return symbol;
  // 400, not the 404 of a path symbol: the resource exists, the request body is wrong.
  void reply.code(400).send(errorBody('UNKNOWN_SYMBOL', `Symbol ${symbol.slice(0, 32)} is not traded here.`));
  return undefined;
}

/**
 * /api/v1/alerts: the token's user's alerts, and only theirs. Another user's alert id answers 404
 * exactly like an unknown one, so ids do not leak. Every change is passed to this process's
 * alerts role at once.
 */
export const alertRoutes: FastifyPluginAsyncTypebox<AccountsDeps> = async (app, deps) => {
  const { db, listener, maxAlertsPerUser } = deps;
  const universe = symbolSet(deps.symbols);
  app.addHook('onRequest', requireUser(deps.tokens));
  const notFound = (reply: FastifyReply) => sendError(reply, 'ALERT_NOT_FOUND');

  app.get('/alerts', {
    schema: {
      tags: ['alerts'],
      summary: 'Your alerts, oldest first',
      security: BEARER,
      querystring: Type.Object({ status: Type.Optional(Type.Union(ALERT_STATUSES.map((s) => Type.Literal(s)))) }, { additionalProperties: false }),
      response: { 200: Type.Object({ alerts: Type.Array(AlertSchema) }), ...errors },
    },
  }, async (request) => ({ alerts: await db.alerts.list(userOf(request).id, request.query.status) }));

  app.post('/alerts', {
    schema: { tags: ['alerts'], summary: 'Create an alert', security: BEARER, body: CreateAlert, response: { 201: AlertSchema, ...errors, 409: ErrorSchema } },
  }, async (request, reply) => {
    const body = request.body;
    const symbol = bodySymbol(universe, body.symbol, reply);
    if (!symbol) return reply;
    const input = {
      symbol,
      condition: body.condition,
      threshold: body.threshold,
      mode: body.mode ?? 'once',
      cooldownSeconds: body.cooldownSeconds ?? 0,
      note: body.note ? body.note : null,
    };
    const created = await db.alerts.create(userOf(request).id, input, maxAlertsPerUser);
    if (!created) return sendError(reply, 'TOO_MANY_ALERTS', `At most ${maxAlertsPerUser} alerts per user.`);
    listener.changed(created.rule);
    audit(request.log, 'alert.created', { userId: userOf(request).id, alertId: created.alert.id, symbol, condition: input.condition, threshold: input.threshold });
    return reply.code(201).send(created.alert);
  });

  app.get('/alerts/:id', {
    schema: { tags: ['alerts'], summary: 'One of your alerts', security: BEARER, params: IdParams, response: { 200: AlertSchema, ...errors } },
  }, async (request, reply) => (await db.alerts.get(userOf(request).id, request.params.id))?.alert ?? notFound(reply));

  app.patch('/alerts/:id', {
    schema: { tags: ['alerts'], summary: 'Change an alert (threshold, mode, cooldown, note, active/disabled)', security: BEARER, params: IdParams, body: PatchAlert, response: { 200: AlertSchema, ...errors } },
  }, async (request, reply) => {
    const { note, ...rest } = request.body;
    const patch = note === undefined ? rest : { ...rest, note: note === '' ? null : note };
    const updated = await db.alerts.update(userOf(request).id, request.params.id, patch);
    if (!updated) return notFound(reply);
    listener.changed(updated.rule);
    audit(request.log, 'alert.updated', { userId: userOf(request).id, alertId: updated.alert.id, changes: Object.keys(request.body) });
    return updated.alert;
  });

  app.delete('/alerts/:id', {
    schema: { tags: ['alerts'], summary: 'Delete an alert', security: BEARER, params: IdParams, response: { 204: Type.Null(), ...errors } },
  }, async (request, reply) => {
    if (!(await db.alerts.delete(userOf(request).id, request.params.id))) return notFound(reply);
    listener.deleted(request.params.id);
    audit(request.log, 'alert.deleted', { userId: userOf(request).id, alertId: request.params.id });
    return reply.code(204).send(null);
  });

  app.get('/alerts/:id/events', {
    schema: {
      tags: ['alerts'],
      summary: 'When an alert fired: tick seq, price and source time, newest first',
      security: BEARER,
      params: IdParams,
      querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ events: Type.Array(AlertEventSchema) }), ...errors },
    },
  }, async (request, reply) => {
    const events = await db.alerts.events(userOf(request).id, request.params.id, request.query.limit);
    return events ? { events } : notFound(reply);
  });
};
