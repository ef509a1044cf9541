import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, recordFrames, screenshot, sentMessages, type Browser, type Frame } from '../support/browser.js';
import { startServer, type RunningServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';

/** Browser steps on a busy two-core machine can be slow: wait long, assert nothing about time. */
const wait = <T>(check: () => T | Promise<T>, what: string, timeoutMs = 60_000) => waitFor(check, what, timeoutMs, 100);

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  server = await startServer({ SYMBOLS: 'AAPL,MSFT', TICK_RATE: '40' });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const received = (frames: readonly Frame[], type: string) => frames.filter((f) => f.direction === 'received' && (f.data as { type?: string }).type === type).map((f) => f.data as Record<string, unknown>);

/** The legend entry of an indicator: how many points the page holds and the newest one. */
async function legendOf(page: Page, name: string): Promise<{ points: number; time: string; value: string } | undefined> {
  const item = page.getByTestId('indicator-legend').locator(`li[data-indicator="${name}"]`);
  if ((await item.count()) === 0) return undefined;
  return { points: Number(await item.getAttribute('data-points')), time: (await item.getAttribute('data-last-time')) ?? '', value: (await item.getAttribute('data-last-value')) ?? '' };
}

async function openMenu(page: Page): Promise<void> {
  const menu = page.getByTestId('indicator-menu');
  if ((await menu.getAttribute('open')) === null) await menu.locator('summary').click();
}

describe('indicator overlays on the dashboard', { timeout: 240_000 }, () => {
  it('an SMA chosen from the menu is subscribed, drawn, updates live, and is still there after a reload', async () => {
    const page = await browser.newPage();
    const { frames } = recordFrames(page);
    await page.goto(server.http);
    await page.getByRole('status', { name: 'Connection: Live' }).waitFor();
    const chart = page.getByTestId('chart');
    await wait(async () => (await chart.getAttribute('data-symbol')) === 'AAPL', 'the AAPL chart');
    // Nothing is subscribed until an indicator is chosen.
    expect(sentMessages(frames).filter((m) => 'indicators' in m)).toEqual([]);

    await openMenu(page);
    await page.getByRole('checkbox', { name: 'SMA 9' }).check();
    await wait(() => sentMessages(frames).find((m) => m.action === 'subscribe' && JSON.stringify(m.indicators) === '{"AAPL":["1s:sma:9"]}'), 'the indicator subscribe on the socket');
    await wait(() => received(frames, 'indicator_snapshot').length > 0, 'the snapshot');
    expect(await chart.getAttribute('data-overlays')).toBe('sma:9');

    // Drawn once SMA(9) has its nine candles, then moving with live updates.
    const first = await wait(async () => {
      const legend = await legendOf(page, 'sma:9');
      return legend && legend.points > 0 ? legend : undefined;
    }, 'SMA 9 values on the chart');
    await wait(async () => {
      const legend = await legendOf(page, 'sma:9');
      return legend !== undefined && (legend.time !== first.time || legend.value !== first.value);
    }, 'the SMA 9 overlay to change with live updates');
    expect(received(frames, 'indicator').length).toBeGreaterThan(0);
    // The legend's newest value is one the server sent for that candle.
    const shown = (await legendOf(page, 'sma:9'))!;
    const sent = [...received(frames, 'indicator'), ...received(frames, 'indicator_snapshot')];
    expect(JSON.stringify(sent)).toContain(shown.value);
    await screenshot(page, 'dashboard-indicator-sma');

    // A pane indicator: RSI goes under the prices (its legend says "warming up" until it has fifteen candles).
    await openMenu(page);
    await page.getByRole('checkbox', { name: 'RSI 14' }).check();
    await wait(async () => (await chart.getAttribute('data-overlays')) === 'sma:9,rsi:14', 'RSI chosen');
    await wait(() => sentMessages(frames).find((m) => JSON.stringify(m.indicators) === '{"AAPL":["1s:rsi:14"]}'), 'the RSI subscribe');

    // Remembered: after a reload both are chosen again, subscribed on the new socket and drawn.
    await page.reload();
    await page.getByRole('status', { name: 'Connection: Live' }).waitFor();
    await openMenu(page);
    await expect(page.getByRole('checkbox', { name: 'SMA 9' }).isChecked()).resolves.toBe(true);
    await expect(page.getByRole('checkbox', { name: 'RSI 14' }).isChecked()).resolves.toBe(true);
    await wait(async () => ((await legendOf(page, 'sma:9'))?.points ?? 0) > 0, 'SMA 9 drawn after the reload');
    const resubscribed = sentMessages(frames).filter((m) => m.action === 'subscribe' && m.indicators !== undefined);
    expect(resubscribed.at(-1)!.indicators).toEqual({ AAPL: ['1s:rsi:14', '1s:sma:9'] });

    // Unchosen: unsubscribed, and gone from the chart.
    await page.getByRole('checkbox', { name: 'SMA 9' }).uncheck();
    await wait(() => sentMessages(frames).find((m) => m.action === 'unsubscribe' && JSON.stringify(m.indicators) === '{"AAPL":["1s:sma:9"]}'), 'the unsubscribe');
    await wait(async () => (await legendOf(page, 'sma:9')) === undefined && (await chart.getAttribute('data-overlays')) === 'rsi:14', 'SMA 9 gone');
    expect(browser.errors).toEqual([]);
  });

  it('the movers window switch asks for that window and is remembered', async () => {
    const page = await browser.newPage();
    await page.goto(server.http);
    const panel = page.locator('section.market');
    await expect(panel.getAttribute('data-movers-window')).resolves.toBe('day');
    const asked = page.waitForRequest((r) => r.url().includes('/api/v1/movers') && r.url().includes('window=5m'));
    await page.getByRole('radio', { name: 'Movers: Last 5 minutes' }).check();
    await asked;
    await page.getByRole('heading', { name: 'Top gainers' }).waitFor();
    await wait(async () => (await panel.locator('li').count()) > 0, 'movers of the last 5 minutes');
    await page.reload();
    await expect(page.getByRole('radio', { name: 'Movers: Last 5 minutes' }).isChecked()).resolves.toBe(true);
    expect(browser.errors).toEqual([]);
  });
});
