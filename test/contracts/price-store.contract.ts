import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bucketStart, CANDLE_INTERVAL_NAMES, CANDLE_INTERVALS, type CandleView } from '../../src/domain/candles.js';
import { seededRandom } from '../../src/domain/random.js';
import type { Tick } from '../../src/domain/tick.js';
import type { IndicatorPoint } from '../../src/domain/analytics/symbol-analytics.js';
import type { WindowStats } from '../../src/domain/analytics/window-movers.js';
import type { PriceStore, PriceStoreLimits } from '../../src/ports/price-store.js';
import { aTick, aTickRun, T0 } from '../support/ticks.js';

export interface PriceStoreFixture {
  /** Started, empty, and private to this test (its own namespace in a shared engine). */
  readonly store: PriceStore;
  /** Closes the store and removes whatever it wrote. */
  cleanup(): Promise<void>;
}

export type PriceStoreFactory = (limits: PriceStoreLimits) => Promise<PriceStoreFixture>;

const LIMITS: PriceStoreLimits = { historyLimit: 50, candleLimit: 20 };

const seqs = (ticks: readonly Tick[]): number[] => ticks.map((t) => t.seq);

/** Candles computed the obvious way: group by bucket, order within a bucket by (ts, seq). */
function expectedCandles(ticks: readonly Tick[], intervalMs: number): CandleView[] {
  const buckets = new Map<number, Tick[]>();
  for (const t of ticks) {
    const time = bucketStart(t.ts, intervalMs);
    buckets.set(time, [...(buckets.get(time) ?? []), t]);
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([time, group]) => {
      const byTime = [...group].sort((a, b) => a.ts - b.ts || a.seq - b.seq);
      const prices = group.map((t) => t.price);
      return {
        time,
        open: byTime[0]!.price,
        high: Math.max(...prices),
        low: Math.min(...prices),
        close: byTime.at(-1)!.price,
        volume: group.reduce((a, t) => a + t.size, 0),
        trades: group.length,
      };
    });
}

/** The promises of src/ports/price-store.ts, for any adapter. */
export function priceStoreContract(name: string, factory: PriceStoreFactory): void {
  describe(`PriceStore contract: ${name}`, () => {
    let fixture: PriceStoreFixture | undefined;
    let store: PriceStore;

    const open = async (limits: PriceStoreLimits = LIMITS): Promise<PriceStore> => {
      await fixture?.cleanup();
      fixture = await factory(limits);
      return fixture.store;
    };

    beforeEach(async () => {
      store = await open();
    });

    afterEach(async () => {
      await fixture?.cleanup();
      fixture = undefined;
    });

    describe('stream epoch', () => {
      it('is a non-empty string that stays the same while the store lives, ticks or not', async () => {
        const epoch = await store.epoch();
        expect(epoch).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
        await store.applyTicks([aTick({ symbol: 'AAPL', seq: 1 })]);
        expect(await store.epoch()).toBe(epoch);
      });
    });

    describe('compare-and-set on seq', () => {
      it('accepts newer ticks and counts duplicates and stale ones without applying them', async () => {
        const [t1, t2, t3] = aTickRun(3);
        expect(await store.applyTicks([t1!, t2!])).toEqual({ accepted: [t1, t2], duplicates: 0, stale: 0 });
        const before = { quote: await store.quote('AAPL'), recent: await store.recent('AAPL', 10), candles: await store.candles('AAPL', '1s', 10) };

        const duplicate = { ...t2!, price: 999, size: 5_000 };
        const stale = { ...t1!, price: 1, size: 7_000 };
        expect(await store.applyTicks([duplicate, stale])).toEqual({ accepted: [], duplicates: 1, stale: 1 });
        expect(await store.latest('AAPL')).toEqual(t2);
        expect({ quote: await store.quote('AAPL'), recent: await store.recent('AAPL', 10), candles: await store.candles('AAPL', '1s', 10) }).toEqual(before);

        expect(await store.applyTicks([t3!])).toEqual({ accepted: [t3], duplicates: 0, stale: 0 });
      });

      it('applies a batch in order: a lower seq after a higher one of its symbol is stale', async () => {
        const a = (seq: number) => aTick({ symbol: 'AAPL', seq, ts: T0 + seq });
        const m = (seq: number) => aTick({ symbol: 'MSFT', seq, ts: T0 + seq });
        const batch = [a(1), m(5), a(3), a(2), m(6), a(3), m(4), a(4)];
        const result = await store.applyTicks(batch);
        expect(result.accepted).toEqual([a(1), m(5), a(3), m(6), a(4)]);
        expect(result).toMatchObject({ duplicates: 1, stale: 2 });
        expect(seqs(await store.recent('AAPL', 10))).toEqual([4, 3, 1]);
      });

      it('exactly-once acceptance under concurrent writers', async () => {
        const ticks = aTickRun(LIMITS.historyLimit - 10);
        const last = ticks.at(-1)!.seq;
        // Three writers: two deliver everything (redelivery), one the even seqs only.
        const writers = [ticks, ticks, ticks.filter((t) => t.seq % 2 === 0)];
        const results = await Promise.all(writers.map((batch) => store.applyTicks(batch)));

        const accepted = results.flatMap((r) => r.accepted);
        expect(new Set(seqs(accepted)).size).toBe(accepted.length);
        expect(seqs(accepted)).toContain(last);
        const submitted = writers.reduce((a, w) => a + w.length, 0);
        expect(results.reduce((a, r) => a + r.accepted.length + r.duplicates + r.stale, 0)).toBe(submitted);
        for (const r of results) expect(seqs(r.accepted)).toEqual([...seqs(r.accepted)].sort((x, y) => x - y));

        const history = (await store.recent('AAPL', 1_000)).reverse();
        expect(seqs(history)).toEqual([...seqs(accepted)].sort((x, y) => x - y));
        expect((await store.latest('AAPL'))?.seq).toBe(last);
      });
    });

    it('latest never goes back to a lower seq, whatever order ticks arrive in', async () => {
      const random = seededRandom(17);
      const ticks = aTickRun(80);
      const shuffled = [...ticks].sort(() => random.next() - 0.5);
      let highest = 0;
      for (let i = 0; i < shuffled.length; i += 7) {
        const batch = shuffled.slice(i, i + 7);
        await store.applyTicks(batch);
        highest = Math.max(highest, ...seqs(batch));
        expect((await store.latest('AAPL'))?.seq).toBe(highest);
      }
    });

    describe('reads of the latest tick', () => {
      it('latestMany answers in the order asked, undefined for unknown symbols', async () => {
        const aapl = aTick({ symbol: 'AAPL', seq: 3 });
        const msft = aTick({ symbol: 'MSFT', seq: 9 });
        await store.applyTicks([aapl, msft]);
        expect(await store.latestMany(['MSFT', 'NOPE', 'AAPL', 'MSFT'])).toEqual([msft, undefined, aapl, msft]);
        expect(await store.latestMany([])).toEqual([]);
      });

      it('latestAll holds the latest tick of every symbol, once each', async () => {
        await store.applyTicks([...aTickRun(3, { symbol: 'AAPL' }), ...aTickRun(2, { symbol: 'MSFT' })]);
        const all = await store.latestAll();
        expect(all.map((t) => `${t.symbol}:${t.seq}`).sort()).toEqual(['AAPL:3', 'MSFT:2']);
      });

      it('an empty store knows nothing', async () => {
        expect(await store.latest('AAPL')).toBeUndefined();
        expect(await store.latestAll()).toEqual([]);
        expect(await store.recent('AAPL', 10)).toEqual([]);
        expect(await store.candles('AAPL', '1m', 10)).toEqual([]);
        expect(await store.quote('AAPL')).toBeUndefined();
        expect(await store.quotes()).toEqual([]);
      });
    });

    describe('history', () => {
      it('recent is newest first, at most limit, bounded by historyLimit', async () => {
        const s = await open({ historyLimit: 10, candleLimit: 20 });
        const ticks = aTickRun(25);
        await s.applyTicks(ticks);
        expect(await s.recent('AAPL', 3)).toEqual(ticks.slice(-3).reverse());
        expect(await s.recent('AAPL', 1_000)).toEqual(ticks.slice(-10).reverse());
      });

      it('since returns the ticks after a seq, oldest first, complete while history reaches back', async () => {
        const ticks = aTickRun(20);
        await store.applyTicks(ticks);
        expect(await store.since('AAPL', 0)).toEqual({ ticks, complete: true });
        expect(await store.since('AAPL', 15)).toEqual({ ticks: ticks.slice(15), complete: true });
        expect(await store.since('AAPL', 20)).toEqual({ ticks: [], complete: true });
        // A seq beyond the latest was never stored here: the source restarted its sequence.
        expect(await store.since('AAPL', 99)).toEqual({ ticks: [], complete: false });
        expect(await store.since('NOPE', 0)).toEqual({ ticks: [], complete: true });
      });

      it('since reports incomplete when the ticks after the seq have a hole', async () => {
        const ticks = aTickRun(20);
        const holed = [...ticks.slice(0, 8), ...ticks.slice(11)];
        await store.applyTicks(holed);
        expect(await store.since('AAPL', 0)).toEqual({ ticks: holed, complete: false });
        expect(await store.since('AAPL', 5)).toEqual({ ticks: holed.slice(5), complete: false });
        expect(await store.since('AAPL', 11)).toEqual({ ticks: ticks.slice(11), complete: true });
      });

      it('since reports incomplete once history was trimmed past the seq asked for', async () => {
        const s = await open({ historyLimit: 10, candleLimit: 20 });
        const ticks = aTickRun(25);
        await s.applyTicks(ticks);
        const kept = ticks.slice(-10);
        const oldestKept = kept[0]!.seq;
        expect(await s.since('AAPL', oldestKept - 1)).toEqual({ ticks: kept, complete: true });
        expect(await s.since('AAPL', oldestKept)).toEqual({ ticks: kept.slice(1), complete: true });
        expect(await s.since('AAPL', oldestKept - 2)).toEqual({ ticks: kept, complete: false });
        expect(await s.since('AAPL', 0)).toEqual({ ticks: kept, complete: false });
      });
    });

    describe('candles', () => {
      // Out of order by ts, across several seconds and two minutes.
      const ticks = aTickRun(40, { stepMs: 700, ts: bucketStart(T0, 60_000) + 59_000 }).map((t, i) =>
        i % 5 === 3 ? { ...t, ts: t.ts - 1_500 } : t,
      );

      it('match the accepted ticks for every interval', async () => {
        await store.applyTicks(ticks);
        for (const interval of CANDLE_INTERVAL_NAMES) {
          const expected = expectedCandles(ticks, CANDLE_INTERVALS[interval]);
          expect(await store.candles('AAPL', interval, 1_000), interval).toEqual(expected.slice(-LIMITS.candleLimit));
        }
      });

      it('return the newest `limit` candles oldest first, and keep at most candleLimit', async () => {
        const s = await open({ historyLimit: 50, candleLimit: 5 });
        await s.applyTicks(ticks);
        const expected = expectedCandles(ticks, CANDLE_INTERVALS['1s']);
        expect(await s.candles('AAPL', '1s', 3)).toEqual(expected.slice(-3));
        expect(await s.candles('AAPL', '1s', 1_000)).toEqual(expected.slice(-5));
      });

      it('ignore duplicates and stale ticks', async () => {
        await store.applyTicks(ticks);
        await store.applyTicks(ticks.map((t) => ({ ...t, size: t.size * 1_000 })));
        expect(await store.candles('AAPL', '1m', 10)).toEqual(expectedCandles(ticks, CANDLE_INTERVALS['1m']));
      });
    });

    describe('quotes', () => {
      it('agree with the accepted ticks of the day', async () => {
        const ticks = aTickRun(30);
        await store.applyTicks([...ticks, ticks[3]!, { ...ticks[5]!, price: 1 }]);
        const quote = await store.quote('AAPL');
        const last = ticks.at(-1)!;
        const volume = ticks.reduce((a, t) => a + t.size, 0);
        const prices = ticks.map((t) => t.price);
        expect(quote).toMatchObject({
          symbol: 'AAPL',
          price: last.price,
          size: last.size,
          seq: last.seq,
          ts: last.ts,
          open: ticks[0]!.price,
          high: Math.max(...prices),
          low: Math.min(...prices),
          volume,
          trades: ticks.length,
        });
        expect(quote!.change).toBeCloseTo(last.price - ticks[0]!.price, 4);
        expect(quote!.changePercent).toBeCloseTo(((last.price - ticks[0]!.price) / ticks[0]!.price) * 100, 4);
        expect(quote!.vwap).toBeCloseTo(ticks.reduce((a, t) => a + t.price * t.size, 0) / volume, 4);
      });

      it('quotes holds the quote of every symbol', async () => {
        await store.applyTicks([...aTickRun(4, { symbol: 'AAPL' }), ...aTickRun(6, { symbol: 'MSFT', price: 400 })]);
        const quotes = await store.quotes();
        expect(quotes.map((q) => q.symbol).sort()).toEqual(['AAPL', 'MSFT']);
        for (const q of quotes) expect(q).toEqual(await store.quote(q.symbol));
      });
    });

    describe('analytics: indicator points and window stats', () => {
      const point = (time: number, sma: number, symbol = 'AAPL'): IndicatorPoint => ({ symbol, interval: '1m', time, values: { 'sma:20': sma, 'bb:20:2': { upper: sma + 1, middle: sma, lower: sma - 1 } } });

      it('keeps one point per candle, the last one written, oldest first', async () => {
        await store.putIndicators([point(T0 + 60_000, 1), point(T0, 2)]);
        await store.putIndicators([point(T0 + 60_000, 3), point(T0 + 60_000, 4), point(T0 + 120_000, 5), point(T0, 9, 'MSFT')]);
        expect(await store.indicators('AAPL', '1m', 10)).toEqual([point(T0, 2), point(T0 + 60_000, 4), point(T0 + 120_000, 5)].map(({ time, values }) => ({ time, values })));
        expect(await store.indicators('AAPL', '1m', 1)).toEqual([{ time: T0 + 120_000, values: point(0, 5).values }]);
        expect(await store.indicators('AAPL', '5m', 10)).toEqual([]);
        expect(await store.indicators('MSFT', '1m', 10)).toHaveLength(1);
      });

      it('keeps the newest indicatorLimit candles per symbol and interval', async () => {
        store = await open({ ...LIMITS, indicatorLimit: 10 });
        await store.putIndicators(Array.from({ length: 25 }, (_, i) => point(T0 + i * 60_000, i)));
        const kept = await store.indicators('AAPL', '1m', 100);
        expect(kept.map((p) => p.values['sma:20'])).toEqual(Array.from({ length: 10 }, (_, i) => 15 + i));
      });

      it('window stats replace per symbol and leave the other symbols and windows', async () => {
        const stats = (symbol: string, volume: number): WindowStats => ({ symbol, price: 1, reference: 1, change: 0, changePercent: 0, volume, trades: 1, averageVolume: null, volumeRatio: null, from: T0, to: T0 + 60_000 });
        await store.putWindowStats('5m', [stats('AAPL', 1), stats('MSFT', 2)]);
        await store.putWindowStats('5m', [stats('AAPL', 3)]);
        await store.putWindowStats('1h', [stats('GOOG', 4)]);
        const five = (await store.windowStats('5m')).sort((a, b) => a.symbol.localeCompare(b.symbol));
        expect(five).toEqual([stats('AAPL', 3), stats('MSFT', 2)]);
        expect(await store.windowStats('1h')).toEqual([stats('GOOG', 4)]);
        expect(await store.windowStats('day')).toEqual([]);
      });

      it('window stats of symbols named gone are deleted, the others kept', async () => {
        const stats = (symbol: string): WindowStats => ({ symbol, price: 1, reference: 1, change: 0, changePercent: 0, volume: 1, trades: 1, averageVolume: null, volumeRatio: null, from: T0, to: T0 + 60_000 });
        await store.putWindowStats('1m', [stats('AAPL'), stats('MSFT'), stats('GOOG')]);
        await store.putWindowStats('1m', [stats('MSFT')], ['AAPL']);
        await store.putWindowStats('1m', [], ['GOOG', 'TSLA']);
        expect(await store.windowStats('1m')).toEqual([stats('MSFT')]);
      });
    });
  });
}
