import { describe, expect, it } from 'vitest';
import { ActivityLog } from '../../web/src/lib/activity.js';
import { afterRenderTask, FrameScheduler } from '../../web/src/lib/frame.js';
import { FLASH_MS, MarketStore } from '../../web/src/lib/market.js';
import type { Quote, Tick } from '../../web/src/lib/types.js';

/** Animation frames run when the test says so. */
function frames() {
  let queued: (() => void)[] = [];
  const scheduler = new FrameScheduler((run) => queued.push(run));
  return {
    scheduler,
    get waiting() {
      return queued.length;
    },
    run() {
      const now = queued;
      queued = [];
      for (const f of now) f();
    },
  };
}

const tick = (symbol: string, seq: number, price: number, ts = 1_700_000_000_000 + seq): Tick => ({ symbol, price, size: 100, seq, ts });

const quote = (over: Partial<Quote> = {}): Quote => ({
  symbol: 'AAPL', price: 101, size: 1, seq: 10, ts: 1_700_000_000_000, open: 100, high: 102, low: 99,
  change: 1, changePercent: 1, volume: 1_000, vwap: 100.5, trades: 10, ...over,
});

describe('MarketStore', () => {
  it('draws at most once per animation frame however many ticks arrive', () => {
    const f = frames();
    const market = new MarketStore(f.scheduler);
    let draws = 0;
    market.subscribeQuotes(() => draws++);
    for (let i = 1; i <= 100; i++) market.applyTicks([tick('AAPL', i, 100 + i / 100)]);
    expect(f.waiting).toBe(1);
    expect(market.quote('AAPL')).toBeUndefined();
    f.run();
    expect(draws).toBe(1);
    expect(market.quote('AAPL')).toMatchObject({ price: 101, seq: 100, direction: 1 });
  });

  it('extends the day statistics of the REST quote with live ticks', () => {
    const f = frames();
    const market = new MarketStore(f.scheduler);
    market.seedQuotes([quote()]);
    market.applyTicks([tick('AAPL', 11, 103), tick('AAPL', 12, 98.5)]);
    f.run();
    expect(market.quote('AAPL')).toMatchObject({ price: 98.5, open: 100, high: 103, low: 98.5, volume: 1_200, direction: -1 });
    expect(market.quote('AAPL')!.change).toBeCloseTo(-1.5);
    expect(market.quote('AAPL')!.changePercent).toBeCloseTo(-1.5);
  });

  it('a REST quote older than the stream does not move the price back', () => {
    const f = frames();
    const market = new MarketStore(f.scheduler);
    market.applyTicks([tick('AAPL', 50, 120)]);
    market.seedQuotes([quote({ seq: 40, price: 101 })]);
    f.run();
    expect(market.quote('AAPL')).toMatchObject({ price: 120, open: 100, seq: 50 });
  });

  it('while paused nothing is drawn; resuming draws the latest state at once', () => {
    const f = frames();
    const market = new MarketStore(f.scheduler);
    market.applyTicks([tick('AAPL', 1, 100)]);
    f.run();
    f.scheduler.setPaused(true);
    market.applyTicks([tick('AAPL', 2, 101), tick('AAPL', 3, 102)]);
    f.run();
    expect(market.quote('AAPL')!.seq).toBe(1);
    f.scheduler.setPaused(false);
    f.run();
    expect(market.quote('AAPL')!.seq).toBe(3);
  });

  it('the chart: ticks during the history request are added on top of it; other symbols do not touch it', () => {
    const f = frames();
    const market = new MarketStore(f.scheduler);
    const base = 1_700_000_000_000;
    market.setChart('AAPL', '1s');
    market.applyTicks([tick('AAPL', 5, 110, base + 2_500), tick('MSFT', 1, 300, base + 2_600)]);
    expect(market.chart!.loading).toBe(true);
    market.loadChart('AAPL', '1s', [
      { time: base + 1_000, open: 100, high: 100, low: 100, close: 100, volume: 1, trades: 1 },
      { time: base + 2_000, open: 105, high: 105, low: 105, close: 105, volume: 1, trades: 1 },
    ]);
    const chart = market.chart!;
    expect(chart.loading).toBe(false);
    expect(chart.series.all.map((c) => c.close)).toEqual([100, 110]);
    market.applyTicks([tick('AAPL', 6, 111, base + 3_100)]);
    expect(chart.series.length).toBe(3);
  });
});

describe('ActivityLog', () => {
  it('keeps each type apart so a flood of ticks never pushes out the rare lines, newest first', () => {
    const f = frames();
    const log = new ActivityLog(f.scheduler, 10);
    log.add('system', 'connected', 1);
    for (let i = 0; i < 100; i++) log.add('tick', `t${i}`, 2 + i);
    log.add('alert', 'AAPL above 1', 200);
    f.run();
    const all = log.entries(new Set(['tick', 'system', 'alert']), 100);
    expect(all[0]!.text).toBe('AAPL above 1');
    expect(all.some((e) => e.text === 'connected')).toBe(true);
    expect(all.filter((e) => e.type === 'tick').length).toBeLessThanOrEqual(15);
    expect(log.entries(new Set(['system']))).toHaveLength(1);
    log.clear();
    expect(log.entries(new Set(['tick', 'system', 'alert']))).toEqual([]);
  });

  it('makes a line given as a function only when it is read, once', () => {
    const f = frames();
    const log = new ActivityLog(f.scheduler, 10);
    let made = 0;
    for (let i = 0; i < 50; i++) log.add('tick', () => `t${i} ${++made}`, i);
    f.run();
    expect(made).toBe(0);
    const [newest] = log.entries(new Set(['tick']), 1);
    expect(newest!.text).toBe('t49 1');
    expect(newest!.text).toBe('t49 1');
    expect(made).toBe(1);
  });
});

describe('MarketStore flashes', () => {
  it('tints a card on the redraw that shows a move and clears the tint on a redraw after FLASH_MS', async () => {
    let clock = 1_000;
    const queued: (() => void)[] = [];
    // Frames a sixtieth of a second apart on the test's clock, so no redraw is ever "too soon".
    const scheduler = new FrameScheduler((run) => queued.push(run), () => clock);
    const f = {
      get waiting() {
        return queued.length;
      },
      run() {
        for (let i = 0; i < 3 && queued.length > 0; i++) {
          clock += 1000 / 60;
          queued.shift()!();
        }
      },
    };
    const market = new MarketStore(scheduler, 60, () => clock);
    market.applyTicks([tick('AAPL', 1, 100)]);
    f.run();
    expect(market.quote('AAPL')!.flash).toBe(0);
    market.applyTicks([tick('AAPL', 2, 101)]);
    f.run();
    expect(market.quote('AAPL')!.flash).toBe(1);
    // Same price: no new move, the tint stays until its time is up.
    market.applyTicks([tick('AAPL', 3, 101)]);
    clock += 100;
    f.run();
    expect(market.quote('AAPL')!.flash).toBe(1);
    market.applyTicks([tick('AAPL', 4, 99)]);
    f.run();
    expect(market.quote('AAPL')!.flash).toBe(-1);
    clock += FLASH_MS;
    // The store asks for its own redraw to clear the tint of a card that went quiet.
    await new Promise((resolve) => setTimeout(resolve, FLASH_MS + 50));
    expect(f.waiting).toBe(1);
    f.run();
    expect(market.quote('AAPL')!.flash).toBe(0);
  });
});

describe('FrameScheduler', () => {
  it('afterRenderTask runs its callbacks in a later task, in order', async () => {
    const after = afterRenderTask()!;
    const order: string[] = [];
    await new Promise<void>((resolve) => {
      after(() => order.push('a'));
      after(() => {
        order.push('b');
        resolve();
      });
      order.push('same task');
    });
    expect(order).toEqual(['same task', 'a', 'b']);
  });

  it('counts what the browser spent until the task after the frame as the redraw cost', () => {
    let clock = 0;
    const queued: (() => void)[] = [];
    const after: (() => void)[] = [];
    const scheduler = new FrameScheduler((run) => queued.push(run), () => clock, (done) => after.push(done));
    scheduler.onFlush(() => (clock += 1));
    for (let i = 0; i < 40; i++) {
      scheduler.request();
      clock += 1000 / 60;
      queued.shift()?.();
      // Rendering after the flush: 9 ms of style, layout and paint the flush itself never saw.
      clock += 9;
      after.shift()?.();
      clock += 200;
    }
    expect(scheduler.gapMs).toBeGreaterThan(5 * 9);
  });

  it('spaces redraws out when they are expensive, and keeps a floor in high-frequency mode', () => {
    let clock = 0;
    const queued: (() => void)[] = [];
    const scheduler = new FrameScheduler((run) => queued.push(run), () => clock);
    let flushes = 0;
    // Each redraw costs 20 ms of script.
    scheduler.onFlush(() => {
      flushes++;
      clock += 20;
    });
    const frame = (): void => {
      clock += 1000 / 60;
      queued.shift()?.();
    };
    for (let i = 0; i < 120; i++) {
      scheduler.request();
      frame();
    }
    // Two seconds of frames with news every frame: far fewer redraws than frames, never none.
    expect(flushes).toBeGreaterThan(4);
    expect(flushes).toBeLessThan(60);
    expect(scheduler.gapMs).toBeGreaterThanOrEqual(60);

    const cheap = new FrameScheduler((run) => queued.push(run), () => clock);
    cheap.minGapMs = 100;
    let cheapFlushes = 0;
    cheap.onFlush(() => cheapFlushes++);
    queued.length = 0;
    for (let i = 0; i < 60; i++) {
      cheap.request();
      frame();
    }
    // One second at a 100 ms floor: about ten redraws.
    expect(cheapFlushes).toBeGreaterThanOrEqual(8);
    expect(cheapFlushes).toBeLessThanOrEqual(11);
  });
});
