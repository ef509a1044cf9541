import { describe, expect, it } from 'vitest';
import { FLOOD_TOLERANCE, MessageRate } from '../../src/servers/message-rate.js';

describe('MessageRate', () => {
  it('accepts within the burst, then drops with at most one reply a second naming the budget', () => {
    const t = 1_700_000_000_000;
    const rate = new MessageRate(1, 2, t);
    expect(rate.admit(t, () => true)).toEqual({ verdict: 'accept' });
    expect(rate.admit(t, () => true)).toEqual({ verdict: 'accept' });
    expect(rate.admit(t, () => true)).toEqual({ verdict: 'drop', reply: 'connection' });
    expect(rate.admit(t + 10, () => true)).toEqual({ verdict: 'drop', reply: undefined });
    // A second later the bucket has a token again, but the address's budget is out.
    expect(rate.admit(t + 1_500, () => false)).toEqual({ verdict: 'drop', reply: 'address' });
  });

  it('asks the address budget only when the connection’s own allows', () => {
    const rate = new MessageRate(1, 1, 0);
    let asked = 0;
    rate.admit(0, () => (asked++, true));
    rate.admit(0, () => (asked++, true));
    expect(asked).toBe(1);
  });

  it('silences a connection that keeps flooding past the tolerance; an accepted message resets the count', () => {
    const rate = new MessageRate(1, 1, 0);
    rate.admit(0, () => true);
    for (let i = 0; i < FLOOD_TOLERANCE; i++) expect(rate.admit(0, () => true).verdict).toBe('drop');
    expect(rate.silenced).toBe(false);
    expect(rate.admit(0, () => true)).toEqual({ verdict: 'silence' });
    expect(rate.silenced).toBe(true);

    const calm = new MessageRate(1, 1, 0);
    calm.admit(0, () => true);
    for (let i = 0; i < FLOOD_TOLERANCE; i++) calm.admit(0, () => true);
    expect(calm.admit(1_000, () => true)).toEqual({ verdict: 'accept' });
    expect(calm.admit(1_000, () => true).verdict).toBe('drop');
  });
});
