import type { Alert, AlertRule } from '../../domain/alerts/alert.js';
import type { OwnedAlert } from '../../ports/database.js';
import type { AlertRow } from './tables.js';

/** Row → the owner's view. */
export function toAlert(row: AlertRow): Alert {
  return {
    id: row.id,
    symbol: row.symbol,
    condition: row.condition,
    threshold: row.threshold,
    mode: row.mode,
    cooldownSeconds: row.cooldown_seconds,
    note: row.note,
    status: row.status,
    createdAt: row.created_at.toISOString(),
    triggeredAt: row.triggered_at ? row.triggered_at.toISOString() : null,
    triggeredPrice: row.triggered_price,
    triggerCount: row.trigger_count,
  };
}

export const RULE_COLUMNS = [
  'id',
  'user_id',
  'symbol',
  'condition',
  'threshold',
  'mode',
  'cooldown_seconds',
  'status',
  'armed',
  'last_fired_seq',
  'triggered_at',
  'revision',
] as const;

/** Row → the evaluation state. */
export function toRule(row: Pick<AlertRow, (typeof RULE_COLUMNS)[number]>): AlertRule {
  return {
    id: row.id,
    userId: row.user_id,
    symbol: row.symbol,
    condition: row.condition,
    threshold: row.threshold,
    mode: row.mode,
    cooldownSeconds: row.cooldown_seconds,
    status: row.status,
    armed: row.armed,
    lastFiredSeq: row.last_fired_seq,
    lastFiredTs: row.triggered_at ? row.triggered_at.getTime() : null,
    revision: row.revision,
  };
}

export function toOwned(row: AlertRow): OwnedAlert {
  return { userId: row.user_id, alert: toAlert(row), rule: toRule(row) };
}
