import type { AlertCondition, AlertRule } from './alert.js';

/** The part of a tick that alert evaluation reads. */
export interface PricePoint {
  readonly seq: number;
  readonly price: number;
  /** Source time, epoch ms: the cooldown is measured in it, so replays decide the same way. */
  readonly ts: number;
}

/**
 * Whether the condition holds at `price`. Crossings hold on the far side of the threshold (the
 * crossing itself is the arming rule below). `pct_move` compares with the day's open and is
 * undecidable (undefined) without one.
 */
export function conditionHolds(condition: AlertCondition, threshold: number, price: number, dayOpen: number | undefined): boolean | undefined {
  switch (condition) {
    case 'above':
    case 'crosses_above':
      return price >= threshold;
    case 'below':
    case 'crosses_below':
      return price <= threshold;
    case 'pct_move':
      if (dayOpen === undefined || !(dayOpen > 0)) return undefined;
      return (Math.abs(price - dayOpen) / dayOpen) * 100 >= threshold;
  }
}

export type Decision = 'fire' | 'arm' | 'none';

/**
 * What one tick does to one alert:
 * - `fire` when the alert is active and armed, the condition holds, the tick is newer than the one
 *   that fired it last, and (re-arming alerts) the cooldown since that tick has passed;
 * - `arm` when the condition does not hold and the alert is not armed: a later tick where it holds
 *   is a new crossing;
 * - `none` otherwise. An armed alert whose condition holds inside its cooldown stays armed, so it
 *   fires on the first tick after the cooldown where the condition still holds.
 * After a fire, a one-shot alert is `triggered` and a re-arming one is disarmed until the condition
 * is seen false again. So every fire is a separate crossing, and a replayed tick decides nothing.
 */
export function decide(rule: AlertRule, tick: PricePoint, dayOpen?: number): Decision {
  if (rule.status !== 'active') return 'none';
  if (rule.lastFiredSeq !== null && tick.seq <= rule.lastFiredSeq) return 'none';
  const holds = conditionHolds(rule.condition, rule.threshold, tick.price, dayOpen);
  if (holds === undefined) return 'none';
  if (!holds) return rule.armed ? 'none' : 'arm';
  if (!rule.armed) return 'none';
  return cooldownOver(rule, tick.ts) ? 'fire' : 'none';
}

function cooldownOver(rule: AlertRule, ts: number): boolean {
  return rule.mode === 'once' || rule.lastFiredTs === null || ts >= rule.lastFiredTs + rule.cooldownSeconds * 1000;
}

/** The state after a fire: the same transition the database's conditional update makes. */
export function fired(rule: AlertRule, tick: PricePoint): AlertRule {
  return { ...rule, status: rule.mode === 'once' ? 'triggered' : 'active', armed: false, lastFiredSeq: tick.seq, lastFiredTs: tick.ts };
}

export function armed(rule: AlertRule): AlertRule {
  return { ...rule, armed: true };
}
