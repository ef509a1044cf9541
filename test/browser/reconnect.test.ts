import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, recordFrames, screenshot, sentMessages, ticksIn, type Browser, type Frame } from '../support/browser.js';
import { startServer, type RunningServer } from '../support/server.js';
import { waitLong as wait } from '../support/wait.js';

import { gaps, type TickMessage } from '../support/ws-client.js';

const ENV = { SYMBOLS: 'AAPL,MSFT,GOOGL,TSLA,NVDA,AMZN', TICK_RATE: '100' };
let browser: Browser;
const servers: RunningServer[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  for (const s of servers) await s.stop();
});

const start = async (env: Record<string, string> = {}): Promise<RunningServer> => {
  const server = await startServer({ ...ENV, ...env });
  servers.push(server);
  return server;
};

const live = (page: Page) => page.getByRole('status', { name: 'Connection: Live' }).waitFor();
const chartTimes = (page: Page) => page.evaluate<number[]>('window.tickstream.market.chart.series.all.map((c) => c.time)');
const ackOn = (frames: readonly Frame[], socket: number) =>
  frames.find((f) => f.socket === socket && f.direction === 'received' && (f.data as { type?: string }).type === 'subscribed')?.data as
    | { symbols: string[]; recovered?: Record<string, boolean> }
    | undefined;
const stat = (page: Page, key: string) => page.getByTestId(`conn-${key}`).locator('dd').innerText();

// Browser steps wait on a live stream: generous per-test time, never a timing assertion.
describe('reconnect and resume', { timeout: 180_000 }, () => {
  it('Disconnect, then Connect: the client resumes with since and every seq arrives once, so the chart has no hole', async () => {
    const server = await start();
    const page = await browser.newPage();
    const { frames } = recordFrames(page);
    await page.goto(server.http);
    await live(page);
    await wait(() => ticksIn(frames, 'AAPL', 0).length >= 5, 'AAPL ticks');

    await page.getByRole('button', { name: 'Disconnect' }).click();
    await page.getByRole('status', { name: 'Connection: Disconnected' }).waitFor();
    const last = ticksIn(frames, 'AAPL', 0).at(-1)!.seq;
    // The market moves on by a few seconds while we are away.
    const seqNow = async () => ((await (await fetch(`${server.http}/api/v1/quotes/AAPL`)).json()) as { seq: number }).seq;
    await wait(async () => (await seqNow()) > last + 80, 'AAPL to move on');

    const atConnect = await seqNow();
    await page.getByRole('button', { name: 'Connect' }).click();
    await live(page);
    // The missed ticks come at once on resume; then a couple of seconds of live ones.
    await wait(() => ticksIn(frames, 'AAPL', 1).some((t) => t.seq >= atConnect + 35), 'two seconds of live AAPL ticks after resuming');
    const resume = sentMessages(frames, 1).find((m) => m.action === 'subscribe') as { since: Record<string, number> };
    // The last seq the page had applied (a frame still in flight at Disconnect was never applied).
    const since = resume.since.AAPL!;
    expect(since).toBeGreaterThanOrEqual(ticksIn(frames, 'AAPL', 0)[0]!.seq);
    expect(since).toBeLessThanOrEqual(last);
    expect(ackOn(frames, 1)?.recovered).toMatchObject({ AAPL: true });
    expect(ticksIn(frames, 'AAPL', 1)[0]!.seq).toBe(since + 1);
    const all = [...ticksIn(frames, 'AAPL', 0).filter((t) => t.seq <= since), ...ticksIn(frames, 'AAPL', 1)] as unknown as TickMessage[];
    expect(gaps(all)).toEqual([]);

    // The chart's 1s candles cover every second the server has a candle for, across the outage.
    const times = await chartTimes(page);
    const rest = (await (await fetch(`${server.http}/api/v1/candles/AAPL?interval=1s&limit=1000`)).json()) as { candles: { time: number }[] };
    const inRange = rest.candles.map((c) => c.time).filter((t) => t >= times[0]! && t < times.at(-1)!);
    expect(inRange.length).toBeGreaterThan(5);
    expect(inRange.filter((t) => !times.includes(t))).toEqual([]);
    expect(browser.errors.filter((e) => e.startsWith('page error'))).toEqual([]);
    await page.close();
  });

  it('a server restart on the same port: the dashboard reconnects by itself, resumes live, keeps its chart and says the stream restarted', async () => {
    const first = await start();
    const page = await browser.newPage();
    const { frames } = recordFrames(page);
    await page.goto(first.http);
    await live(page);
    await wait(() => ticksIn(frames, 'AAPL', 0).length >= 10, 'AAPL ticks');
    await wait(async () => (await chartTimes(page)).length >= 3, 'a few candles');
    expect(await stat(page, 'reconnects')).toBe('0');

    await first.stop();
    await page.getByRole('status', { name: 'Connection: Reconnecting' }).waitFor();
    const lastBefore = ticksIn(frames, 'AAPL', 0).at(-1)!.seq;
    const candlesBefore = await chartTimes(page);

    // A new in-memory server on the same port: its seqs start again at 1, and slowly enough that
    // they are still below ours when we resume, so the server must answer "not recovered".
    await start({ PORT: String(first.port), TICK_RATE: '12' });
    await live(page);
    const socket = await wait(() => (ticksIn(frames, 'AAPL').length > 0 ? frames.filter((f) => f.direction === 'sent').at(-1)?.socket : undefined), 'a new socket');
    expect(socket).toBeGreaterThanOrEqual(1);
    const resume = sentMessages(frames, socket).find((m) => m.action === 'subscribe') as { since: Record<string, number> };
    expect(resume.since.AAPL).toBe(lastBefore);
    await wait(() => ticksIn(frames, 'AAPL', socket).length >= 10, 'AAPL ticks from the new server');
    await wait(async () => (await stat(page, 'reconnects')) === '1', 'the reconnect to be counted');

    // The new server's seqs are below what we had: the client says so instead of dropping them.
    const after = ticksIn(frames, 'AAPL', socket);
    expect(after[0]!.seq).toBeLessThan(lastBefore);
    expect(ackOn(frames, socket)?.recovered?.AAPL).toBe(false);
    const notice = page.getByTestId('notice').filter({ hasText: 'AAPL' });
    await notice.first().waitFor();
    expect((await notice.allInnerTexts()).join('\n')).toMatch(/could not be recovered/);

    // Live again on screen: the card shows the new server's latest seq, the chart grows past the outage.
    await wait(async () => {
      const seq = Number(await page.getByTestId('price-AAPL').getAttribute('data-seq'));
      return seq !== lastBefore && ticksIn(frames, 'AAPL', socket).some((t) => t.seq === seq);
    }, 'the AAPL card to show the new stream');
    await wait(async () => (await chartTimes(page)).at(-1)! > candlesBefore.at(-1)!, 'a candle after the restart');
    const candlesAfter = await chartTimes(page);
    expect(candlesBefore.filter((t) => !candlesAfter.includes(t))).toEqual([]);
    await screenshot(page, 'dashboard-after-restart');
    expect(browser.errors.filter((e) => e.startsWith('page error'))).toEqual([]);
  });
});
