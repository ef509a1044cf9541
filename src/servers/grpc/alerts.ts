import { status, type ServerUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { MAX_COOLDOWN_SECONDS, NOTE_MAX_LENGTH } from '../../domain/alerts/alert.js';
import { TickstreamError } from '../../domain/errors.js';
import { audit } from '../../observability/audit.js';
import type { Logger } from '../../observability/logger.js';
import type { AccountsDeps } from '../http/auth.js';
import { callerOf } from './caller.js';
import { StatusOverride } from './status.js';
import { alertMessage, CONDITIONS, MODES } from './messages.js';
import { unary } from './unary.js';

interface CreateAlertRequest {
  symbol: string;
  condition: string;
  threshold: number;
  mode: string;
  cooldown_seconds: number;
  note: string;
}

/** Alert ids are PostgreSQL integers; anything else is not an id of ours (REST answers 400 alike). */
function alertId(id: number): number {
  if (!Number.isSafeInteger(id) || id < 1 || id > 2_147_483_647) throw new TickstreamError('BAD_REQUEST', 'An alert id is a whole number from 1 to 2147483647.');
  return id;
}

/**
 * The unary methods of tickstream.v1.Alerts: the REST alert routes' rules on the same database,
 * for the token's user only. Another user's alert id is NOT_FOUND exactly like an unknown one, and
 * every change is passed to this process's alerts role at once (as REST does).
 */
export function alertMethods(deps: AccountsDeps, universe: ReadonlySet<string>, logger: Logger): UntypedServiceImplementation {
  const { db, listener, maxAlertsPerUser, metrics, tokens } = deps;
  const caller = (call: ServerUnaryCall<unknown, unknown>) => callerOf(call.metadata, tokens);

  return {
    CreateAlert: unary<CreateAlertRequest, object>('CreateAlert', metrics, logger, async (call) => {
      const user = await caller(call);
      const request = call.request;
      const symbol = request.symbol.trim().toUpperCase();
      // A body symbol, as REST's: the request is wrong (INVALID_ARGUMENT), no resource is missing.
      if (!universe.has(symbol)) throw new StatusOverride('UNKNOWN_SYMBOL', status.INVALID_ARGUMENT, `Symbol ${symbol.slice(0, 32)} is not traded here.`);
      const condition = CONDITIONS[request.condition];
      if (!condition) throw new TickstreamError('INVALID_CONDITION', 'The condition is one of ABOVE, BELOW, CROSSES_ABOVE, CROSSES_BELOW, PCT_MOVE.');
      if (!Number.isFinite(request.threshold) || request.threshold <= 0) throw new TickstreamError('INVALID_PRICE');
      const mode = MODES[request.mode] ?? 'once';
      if (request.cooldown_seconds < 0 || request.cooldown_seconds > MAX_COOLDOWN_SECONDS) throw new TickstreamError('BAD_REQUEST', `cooldown_seconds is 0 to ${MAX_COOLDOWN_SECONDS}.`);
      if (request.note.length > NOTE_MAX_LENGTH) throw new TickstreamError('NOTE_TOO_LONG');
      const input = { symbol, condition, threshold: request.threshold, mode, cooldownSeconds: request.cooldown_seconds, note: request.note === '' ? null : request.note };
      const created = await db.alerts.create(user.id, input, maxAlertsPerUser);
      if (!created) throw new TickstreamError('TOO_MANY_ALERTS', `At most ${maxAlertsPerUser} alerts per user.`);
      listener.changed(created.rule);
      audit(logger, 'alert.created', { userId: user.id, alertId: created.alert.id, symbol, condition, threshold: input.threshold, via: 'grpc' });
      return alertMessage(created.alert);
    }),

    GetAlert: unary<{ id: number }, object>('GetAlert', metrics, logger, async (call) => {
      const user = await caller(call);
      const found = await db.alerts.get(user.id, alertId(call.request.id));
      if (!found) throw new TickstreamError('ALERT_NOT_FOUND');
      return alertMessage(found.alert);
    }),

    ListAlerts: unary<{ active_only: boolean }, object>('ListAlerts', metrics, logger, async (call) => {
      const user = await caller(call);
      const alerts = await db.alerts.list(user.id, call.request.active_only ? 'active' : undefined);
      return { alerts: alerts.map(alertMessage) };
    }),

    DeleteAlert: unary<{ id: number }, object>('DeleteAlert', metrics, logger, async (call) => {
      const user = await caller(call);
      const id = alertId(call.request.id);
      if (!(await db.alerts.delete(user.id, id))) throw new TickstreamError('ALERT_NOT_FOUND');
      listener.deleted(id);
      audit(logger, 'alert.deleted', { userId: user.id, alertId: id, via: 'grpc' });
      return {};
    }),
  };
}
