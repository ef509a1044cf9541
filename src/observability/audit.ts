import type { Logger } from './logger.js';

/**
 * Security- and money-relevant changes, one `info` line each with `audit` naming the event, so a
 * log pipeline can select them with one field. Callers pass ids and names, never passwords or tokens.
 */
export type AuditEvent =
  | 'account.registered'
  | 'login.succeeded'
  | 'login.failed'
  | 'login.locked'
  | 'login.limited'
  | 'register.limited'
  | 'password.rehashed'
  | 'alert.created'
  | 'alert.updated'
  | 'alert.deleted'
  | 'alert.fired'
  | 'order.submitted'
  | 'order.canceled'
  | 'order.rejected'
  | 'order.filled'
  | 'portfolio.reset';

export function audit(log: Pick<Logger, 'info'>, event: AuditEvent, fields: Record<string, unknown>): void {
  log.info({ audit: event, ...fields }, event);
}
