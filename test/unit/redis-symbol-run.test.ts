import { describe, expect, it } from 'vitest';
import { CANDLE_INTERVAL_NAMES, mergeInto, newCandle } from '../../src/domain/candles.js';
import { encodeCandle } from '../../src/adapters/redis/price-store-encoding.js';
import { olderBuckets, planRun, type OlderCandles, type SymbolState } from '../../src/adapters/redis/symbol-run.js';
import { aTick, aTickRun, T0 } from '../support/ticks.js';

const LIMITS = { historyLimit: 100, candleLimit: 10, ttl: '60' };
const EMPTY: SymbolState = { seq: undefined, stats: undefined, newest: CANDLE_INTERVAL_NAMES.map(() => undefined) };
const NO_OLDER: OlderCandles = CANDLE_INTERVAL_NAMES.map(() => new Map());
const S_1S = CANDLE_INTERVAL_NAMES.indexOf('1s');

/** WRITE_SYMBOL_RUN's ARGV after the expected seq and the symbol, read back into its parts. */
function parse(args: readonly string[]) {
  const [latest, ttl, historyLimit, candleLimit, h, ...rest] = args;
  const history = rest.splice(0, Number(h) * 2);
  const series = CANDLE_INTERVAL_NAMES.map(() => {
    const [grew, count] = rest.splice(0, 2);
    const updates = rest.splice(0, Number(count) * 3);
    return { grew: grew === '1', updates: Array.from({ length: Number(count) }, (_, i) => ({ replaces: updates[3 * i], time: Number(updates[3 * i + 1]), member: updates[3 * i + 2] })) };
  });
  return { latest: JSON.parse(latest!) as { seq: number }, ttl, historyLimit, candleLimit, history, series, stats: Object.fromEntries(Array.from({ length: rest.length / 2 }, (_, i) => [rest[2 * i], Number(rest[2 * i + 1])])) };
}

describe('planRun: one symbol’s ticks of a batch, folded in the processor', () => {
  it('decides each tick against the state and the ticks before it: accepted, duplicate, stale', () => {
    const state: SymbolState = { ...EMPTY, seq: 5 };
    const run = [7, 7, 6, 8, 8, 5].map((seq) => aTick({ seq, ts: T0 + seq }));
    expect(planRun(state, run, NO_OLDER, LIMITS).outcomes).toEqual([1, 0, -1, 1, 0, -1]);
  });

  it('writes latest, history in order, every touched candle and the day stats once', () => {
    const run = aTickRun(3, { stepMs: 400 });
    const plan = planRun(EMPTY, run, NO_OLDER, LIMITS);
    const w = parse(plan.args);
    expect(w.latest.seq).toBe(3);
    expect(w.history.filter((_, i) => i % 2 === 0)).toEqual(['1', '2', '3']);
    // 0, 400, 800 ms: one 1 s candle holding all three, created here.
    expect(w.series[S_1S]).toMatchObject({ grew: true, updates: [{ replaces: '', time: T0 }] });
    expect(w.stats).toMatchObject({ trades: 3, volume: run.reduce((a, t) => a + t.size, 0), open: run[0]!.price, last: run[2]!.price });
    expect(plan.next.seq).toBe(3);
    expect(plan.next.newest[S_1S]?.member).toBe(w.series[S_1S]!.updates[0]!.member);
  });

  it('merges into the stored newest candle and names the member it replaces', () => {
    const first = planRun(EMPTY, [aTick({ seq: 1, ts: T0 })], NO_OLDER, LIMITS);
    const stored = first.next.newest[S_1S]!;
    const second = parse(planRun(first.next, [aTick({ seq: 2, ts: T0 + 500, price: 101 })], NO_OLDER, LIMITS).args);
    expect(second.series[S_1S]).toMatchObject({ grew: false, updates: [{ replaces: stored.member, time: T0 }] });
    expect(second.series[S_1S]!.updates[0]!.member).toMatch(/^\d+\|100\|101\|100\|101\|/);
  });

  it('a late tick lands in the older candle read for it, or makes a new one when there is none', () => {
    const older = newCandle(T0 - 5_000, aTick({ seq: 1, ts: T0 - 5_000 }));
    const olderMember = encodeCandle(older);
    const state = planRun(EMPTY, [aTick({ seq: 1, ts: T0 - 5_000 }), aTick({ seq: 2, ts: T0 })], NO_OLDER, LIMITS).next;
    const late = [aTick({ seq: 3, ts: T0 - 4_900 }), aTick({ seq: 4, ts: T0 - 3_000 })];
    const wanted = olderBuckets(state, late)[S_1S];
    expect([...wanted!].sort()).toEqual([T0 - 5_000, T0 - 3_000]);
    const fetched: OlderCandles = CANDLE_INTERVAL_NAMES.map((_, s) => new Map(s === S_1S ? [[T0 - 5_000, { candle: older, member: olderMember }]] : []));
    const w = parse(planRun(state, late, fetched, LIMITS).args).series[S_1S]!;
    const merged = { ...older };
    mergeInto(merged, late[0]!);
    expect(w.updates).toEqual([
      { replaces: olderMember, time: T0 - 5_000, member: encodeCandle(merged) },
      { replaces: '', time: T0 - 3_000, member: expect.any(String) },
    ]);
    expect(w.grew).toBe(true);
  });

  it('with nothing accepted, only checks that the state it decided against is current', () => {
    const state: SymbolState = { ...EMPTY, seq: 9 };
    const plan = planRun(state, [aTick({ seq: 9 }), aTick({ seq: 3 })], NO_OLDER, LIMITS);
    expect(plan.args).toEqual(['']);
    expect(plan.next).toBe(state);
  });

  it('leaves the state it started from untouched, so a lost race can start over from it', () => {
    const state = planRun(EMPTY, aTickRun(2), NO_OLDER, LIMITS).next;
    const before = JSON.stringify(state);
    planRun(state, aTickRun(3, { firstSeq: 3 }), NO_OLDER, LIMITS);
    expect(JSON.stringify(state)).toBe(before);
  });
});
