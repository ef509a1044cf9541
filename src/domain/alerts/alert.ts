/**
 * Price alerts: what a user asks to be told about, and the evaluation state the alerts role keeps.
 * Plain data: no I/O here.
 */
export const ALERT_CONDITIONS = ['above', 'below', 'crosses_above', 'crosses_below', 'pct_move'] as const;
export type AlertCondition = (typeof ALERT_CONDITIONS)[number];

export const ALERT_MODES = ['once', 'rearm'] as const;
export type AlertMode = (typeof ALERT_MODES)[number];

export const ALERT_STATUSES = ['active', 'triggered', 'disabled'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export const NOTE_MAX_LENGTH = 500;
/** Thirty days: longer cooldowns are better expressed as a one-shot alert. */
export const MAX_COOLDOWN_SECONDS = 30 * 86_400;

/** An alert as its owner sees it (REST and WebSocket). Times are ISO 8601 UTC. */
export interface Alert {
  readonly id: number;
  readonly symbol: string;
  readonly condition: AlertCondition;
  readonly threshold: number;
  readonly mode: AlertMode;
  readonly cooldownSeconds: number;
  readonly note: string | null;
  readonly status: AlertStatus;
  readonly createdAt: string;
  /** Source time of the tick that fired it last. */
  readonly triggeredAt: string | null;
  readonly triggeredPrice: number | null;
  readonly triggerCount: number;
}

/** What a user may set when creating an alert; everything else is the server's. */
export interface NewAlert {
  readonly symbol: string;
  readonly condition: AlertCondition;
  readonly threshold: number;
  readonly mode: AlertMode;
  readonly cooldownSeconds: number;
  readonly note: string | null;
}

/** What a user may change. `status` may only be set to active (re-arm) or disabled. */
export interface AlertPatch {
  readonly threshold?: number;
  readonly mode?: AlertMode;
  readonly cooldownSeconds?: number;
  readonly note?: string | null;
  readonly status?: 'active' | 'disabled';
}

/**
 * The evaluation state of one alert, as stored. `armed` says whether the condition may fire on the
 * next tick where it holds; `lastFiredSeq` is the tick that fired it last, so a replayed tick (equal or
 * lower seq) can never fire it again.
 */
export interface AlertRule {
  readonly id: number;
  readonly userId: number;
  readonly symbol: string;
  readonly condition: AlertCondition;
  readonly threshold: number;
  readonly mode: AlertMode;
  readonly cooldownSeconds: number;
  readonly status: AlertStatus;
  readonly armed: boolean;
  readonly lastFiredSeq: number | null;
  /** Source time (epoch ms) of the tick that fired it last: the cooldown counts from here. */
  readonly lastFiredTs: number | null;
  /** Increases with every write to the row: a cache keeps the highest it has seen. */
  readonly revision: number;
}

/**
 * Level conditions (above, below, pct_move) may fire on the first tick where they hold. Crossings
 * need the price seen on the other side of the threshold first, so they start disarmed.
 */
export function initiallyArmed(condition: AlertCondition): boolean {
  return condition !== 'crosses_above' && condition !== 'crosses_below';
}
