import { describe, expect, it } from 'vitest';
import { FireBudget } from '../../src/domain/alerts/fire-budget.js';

describe('FireBudget', () => {
  it('gives each user a burst, then the rate, independently of other users', () => {
    const budget = new FireBudget(2, 3);
    const t0 = 1_000_000;
    expect([1, 2, 3, 4].map(() => budget.take(1, t0))).toEqual([true, true, true, false]);
    // Another user is untouched by the first one's flood.
    expect(budget.take(2, t0)).toBe(true);
    // Half a second at 2 per second refills one fire.
    expect(budget.take(1, t0 + 500)).toBe(true);
    expect(budget.take(1, t0 + 500)).toBe(false);
  });

  it('forgets users whose bucket is full again, so idle users cost no memory', () => {
    const budget = new FireBudget(10, 10);
    for (let user = 0; user < 100; user++) budget.take(user, 0);
    expect(budget.users).toBe(100);
    budget.take(1_000, 120_000);
    expect(budget.users).toBe(1);
  });
});
