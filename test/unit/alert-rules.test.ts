import { describe, expect, it } from 'vitest';
import { initiallyArmed, type AlertCondition, type AlertMode, type AlertRule } from '../../src/domain/alerts/alert.js';
import { armed, conditionHolds, decide, fired, type PricePoint } from '../../src/domain/alerts/rules.js';

const T0 = Date.UTC(2024, 0, 2, 15, 0, 0);

function rule(condition: AlertCondition, threshold: number, mode: AlertMode = 'once', cooldownSeconds = 0): AlertRule {
  return { id: 1, userId: 1, symbol: 'AAPL', condition, threshold, mode, cooldownSeconds, status: 'active', armed: initiallyArmed(condition), lastFiredSeq: null, lastFiredTs: null, revision: 1 };
}

/**
 * Runs prices (one tick a second, seq 1, 2, …) through the rules the way the alerts role and the
 * database do together, and returns the seqs that fired.
 */
function firesOn(start: AlertRule, prices: readonly number[], options: { open?: number; stepMs?: number } = {}): number[] {
  let state = start;
  const fires: number[] = [];
  prices.forEach((price, i) => {
    const tick: PricePoint = { seq: i + 1, price, ts: T0 + i * (options.stepMs ?? 1000) };
    const decision = decide(state, tick, options.open);
    if (decision === 'fire') {
      fires.push(tick.seq);
      state = fired(state, tick);
    } else if (decision === 'arm') state = armed(state);
  });
  return fires;
}

describe('conditionHolds', () => {
  it('above and below include the threshold itself', () => {
    expect(conditionHolds('above', 100, 100, undefined)).toBe(true);
    expect(conditionHolds('above', 100, 99.99, undefined)).toBe(false);
    expect(conditionHolds('below', 100, 100, undefined)).toBe(true);
    expect(conditionHolds('below', 100, 100.01, undefined)).toBe(false);
  });

  it('pct_move measures the distance from the day open either way, and needs an open', () => {
    expect(conditionHolds('pct_move', 5, 105, 100)).toBe(true);
    expect(conditionHolds('pct_move', 5, 95, 100)).toBe(true);
    expect(conditionHolds('pct_move', 5, 104.99, 100)).toBe(false);
    expect(conditionHolds('pct_move', 5, 105, undefined)).toBeUndefined();
    expect(conditionHolds('pct_move', 5, 105, 0)).toBeUndefined();
  });
});

describe('one-shot alerts', () => {
  it('above fires on the first tick at or over the threshold, once', () => {
    expect(firesOn(rule('above', 100), [98, 99, 100, 101, 99, 102])).toEqual([3]);
  });

  it('above fires at once when the price is already over the threshold (a level, not a crossing)', () => {
    expect(firesOn(rule('above', 100), [105, 106])).toEqual([1]);
  });

  it('below mirrors above', () => {
    expect(firesOn(rule('below', 100), [102, 101, 100, 99])).toEqual([3]);
    expect(firesOn(rule('below', 100), [90])).toEqual([1]);
  });

  it('crosses_above needs the price seen below first', () => {
    expect(firesOn(rule('crosses_above', 100), [101, 102, 103])).toEqual([]);
    expect(firesOn(rule('crosses_above', 100), [101, 99, 100, 98, 101])).toEqual([3]);
  });

  it('crosses_below needs the price seen above first', () => {
    expect(firesOn(rule('crosses_below', 100), [99, 98])).toEqual([]);
    expect(firesOn(rule('crosses_below', 100), [99, 101, 100, 102, 99])).toEqual([3]);
  });

  it('pct_move fires when the move from the open reaches the threshold, up or down', () => {
    expect(firesOn(rule('pct_move', 2), [100.5, 101, 98.1, 97.9, 95], { open: 100 })).toEqual([4]);
    expect(firesOn(rule('pct_move', 2), [102], { open: 100 })).toEqual([1]);
  });

  it('pct_move decides nothing without a day open', () => {
    expect(firesOn(rule('pct_move', 2), [150, 50])).toEqual([]);
  });

  it('a triggered or disabled alert never fires', () => {
    expect(decide({ ...rule('above', 100), status: 'triggered' }, { seq: 9, price: 200, ts: T0 })).toBe('none');
    expect(decide({ ...rule('above', 100), status: 'disabled' }, { seq: 9, price: 200, ts: T0 })).toBe('none');
  });
});

describe('re-arming alerts', () => {
  it('fire once per crossing: the condition must be false in between', () => {
    const prices = [99, 101, 102, 103, 99, 101, 101, 98, 100];
    expect(firesOn(rule('above', 100, 'rearm'), prices)).toEqual([2, 6, 9]);
    expect(firesOn(rule('crosses_above', 100, 'rearm'), prices)).toEqual([2, 6, 9]);
    expect(firesOn(rule('below', 100, 'rearm'), [101, 99, 98, 101, 100])).toEqual([2, 5]);
  });

  it('the cooldown holds a crossing back; it fires after the cooldown if the condition still holds', () => {
    // Ticks 10 s apart, cooldown 30 s: the crossing at seq 4 (t=30 s) is just at the end of the cooldown.
    expect(firesOn(rule('above', 100, 'rearm', 30), [101, 99, 101, 101, 99, 101], { stepMs: 10_000 })).toEqual([1, 4]);
    // Cooldown 60 s: the re-crossing at seq 3 waits; seq 7 (t=60 s) is the first tick allowed.
    expect(firesOn(rule('above', 100, 'rearm', 60), [101, 99, 101, 101, 101, 101, 101, 101], { stepMs: 10_000 })).toEqual([1, 7]);
  });

  it('a crossing that reverses inside the cooldown is not fired later', () => {
    expect(firesOn(rule('above', 100, 'rearm', 60), [101, 99, 101, 99, 99, 99, 99, 99], { stepMs: 10_000 })).toEqual([1]);
  });

  it('pct_move re-arms when the move shrinks below the threshold', () => {
    expect(firesOn(rule('pct_move', 1, 'rearm'), [101, 101.5, 100.2, 99, 100], { open: 100 })).toEqual([1, 4]);
  });
});

describe('replays', () => {
  it('a tick at or below the seq that fired last decides nothing, armed or not', () => {
    const after = fired(rule('above', 100, 'rearm'), { seq: 5, price: 101, ts: T0 });
    expect(decide(armed(after), { seq: 5, price: 101, ts: T0 })).toBe('none');
    expect(decide(after, { seq: 4, price: 90, ts: T0 })).toBe('none');
    expect(decide(after, { seq: 6, price: 90, ts: T0 })).toBe('arm');
  });

  it('a one-shot alert that fired is triggered and disarmed', () => {
    expect(fired(rule('above', 100), { seq: 3, price: 101, ts: T0 })).toMatchObject({ status: 'triggered', armed: false, lastFiredSeq: 3, lastFiredTs: T0 });
  });
});
