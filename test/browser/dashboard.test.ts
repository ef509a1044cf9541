import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cspViolations, launchBrowser, recordFrames, screenshot, sentMessages, ticksIn, type Browser } from '../support/browser.js';
import { startServer, type RunningServer } from '../support/server.js';
import { waitLong as wait } from '../support/wait.js';


const SYMBOLS = ['AAPL', 'MSFT', 'GOOGL', 'AMZN', 'TSLA', 'NVDA', 'META', 'NFLX'];
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  // About 100 ticks per second over all symbols: the rate the dashboard must stay smooth at.
  server = await startServer({ SYMBOLS: SYMBOLS.join(','), TICK_RATE: '100' });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const priceText = (page: Page, symbol: string) => page.getByTestId(`price-${symbol}`).innerText();

// Browser steps wait on a live stream: generous per-test time, never a timing assertion.
describe('dashboard at /', { timeout: 180_000 }, () => {
  it('loads with no console errors, shows live prices that change, and a chart with candles', async () => {
    const page = await browser.newPage();
    const response = await page.goto(server.http);
    // The page is served under a Content-Security-Policy (scripts from this origin only)…
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self' 'sha256-");
    await page.getByRole('heading', { level: 1, name: 'tickstream' }).waitFor();
    await page.getByRole('status', { name: 'Connection: Live' }).waitFor();
    const first = await wait(async () => {
      const text = await priceText(page, 'AAPL');
      return text !== '—' ? text : undefined;
    }, 'a price for AAPL');
    // Prices move on screen: one of the cards shows a different price a moment later.
    const before = await Promise.all(['AAPL', 'MSFT', 'TSLA'].map((s) => priceText(page, s)));
    await wait(async () => {
      const now = await Promise.all(['AAPL', 'MSFT', 'TSLA'].map((s) => priceText(page, s)));
      return now.some((p, i) => p !== before[i]);
    }, 'a price to change on screen');
    expect(first).toMatch(/^\d[\d,]*\.\d{2}/);

    const chart = page.getByTestId('chart');
    await expect(chart.locator('canvas').first().isVisible()).resolves.toBe(true);
    const candles = await wait(async () => {
      const n = Number(await chart.getAttribute('data-candles'));
      return n >= 2 ? n : undefined;
    }, 'two candles on the chart');
    expect(candles).toBeGreaterThanOrEqual(2);
    expect(await chart.getAttribute('data-symbol')).toBe('AAPL');
    // lightweight-charts' TradingView attribution stays on.
    await expect(page.locator('a[href*="tradingview.com"]').count()).resolves.toBeGreaterThan(0);

    // The candle count keeps growing live at the 1s interval.
    await wait(async () => Number(await chart.getAttribute('data-candles')) > candles, 'a new candle from live ticks');
    await page.getByRole('radio', { name: 'Line' }).check();
    await expect(chart.getAttribute('data-chart-type')).resolves.toBe('line');
    await page.getByRole('radio', { name: '1m' }).check();
    await wait(async () => (await chart.getAttribute('data-interval')) === '1m' && Number(await chart.getAttribute('data-candles')) >= 1, 'the 1m chart');
    await page.getByRole('radio', { name: 'Candles' }).check();
    await page.getByRole('radio', { name: '1s' }).check();

    // The activity log and the connection panel are live too.
    await wait(async () => (await page.getByRole('log', { name: 'Activity entries' }).locator('li[data-type="tick"]').count()) > 0, 'tick lines in the log');
    await wait(async () => (await page.getByTestId('conn-rate').locator('dd').innerText()) !== '0.0', 'a message rate');
    await page.getByRole('heading', { name: 'Top gainers' }).waitFor();

    await screenshot(page, 'dashboard-desktop-dark');
    // …and everything above ran within it: not one violation (an inline script, a foreign source).
    expect(await cspViolations(page)).toEqual([]);
    expect(browser.errors).toEqual([]);
  });

  it('adding a symbol subscribes on the socket and its ticks arrive; removing it unsubscribes and they stop', async () => {
    const page = await browser.newPage();
    const { frames } = recordFrames(page);
    await page.goto(server.http);
    await page.getByRole('status', { name: 'Connection: Live' }).waitFor();
    await wait(() => ticksIn(frames, 'AAPL').length > 0, 'AAPL ticks');
    expect(ticksIn(frames, 'META')).toEqual([]);

    await page.getByLabel('Add symbol').fill('meta');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await wait(() => sentMessages(frames).some((m) => m.action === 'subscribe' && (m.symbols as string[]).includes('META')), 'a subscribe for META');
    await wait(() => ticksIn(frames, 'META').length >= 3, 'META ticks');
    await page.getByRole('listitem', { name: 'META' }).waitFor();
    await wait(async () => (await priceText(page, 'META')) !== '—', 'a price on the META card');

    // The watchlist is remembered across a reload.
    await page.reload();
    await page.getByRole('listitem', { name: 'META' }).waitFor();

    const { frames: after } = recordFrames(page);
    await page.reload();
    await page.getByRole('status', { name: 'Connection: Live' }).waitFor();
    await wait(() => ticksIn(after, 'META').length > 0, 'META ticks after the reload');
    await page.getByRole('button', { name: 'Remove META' }).click();
    const ack = await wait(() => after.findIndex((f) => f.direction === 'received' && (f.data as { type?: string }).type === 'subscribed' && !((f.data as { symbols: string[] }).symbols.includes('META'))) + 1, 'the unsubscribe ack') - 1;
    expect(sentMessages(after)).toContainEqual({ action: 'unsubscribe', symbols: ['META'] });
    const countAfterAck = (): number => after.slice(ack).filter((f) => f.direction === 'received' && (f.data as { type?: string }).type === 'tick').length;
    await wait(() => countAfterAck() > 30, '30 ticks after the unsubscribe');
    expect(ticksIn(after.slice(ack), 'META')).toEqual([]);
    await expect(page.getByRole('listitem', { name: 'META' }).count()).resolves.toBe(0);
    await page.reload();
    await page.getByRole('listitem', { name: 'AAPL' }).waitFor();
    await expect(page.getByRole('listitem', { name: 'META' }).count()).resolves.toBe(0);
    expect(browser.errors).toEqual([]);
  });

  it('the theme toggles and the choice survives a reload', async () => {
    const page = await browser.newPage();
    await page.goto(server.http);
    const theme = () => page.locator('html').getAttribute('data-theme');
    await wait(async () => (await theme()) === 'dark', 'the dark theme (the browser prefers dark)');
    // Until a theme is chosen, it follows the system's preference as it changes.
    await page.emulateMedia({ colorScheme: 'light' });
    await wait(async () => (await theme()) === 'light', 'the light theme the system now prefers');
    await page.emulateMedia({ colorScheme: 'dark' });
    await wait(async () => (await theme()) === 'dark', 'back to dark with the system');
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    expect(await theme()).toBe('light');
    await page.reload();
    await page.getByRole('button', { name: 'Switch to dark theme' }).waitFor();
    // Chosen beats the system: the browser still prefers dark.
    expect(await theme()).toBe('light');
    await page.getByRole('status', { name: 'Connection: Live' }).waitFor();
    await wait(async () => Number(await page.getByTestId('chart').getAttribute('data-candles')) >= 2, 'candles');
    await screenshot(page, 'dashboard-desktop-light');
    await page.keyboard.press('t');
    expect(await theme()).toBe('dark');
    await page.reload();
    expect(await theme()).toBe('dark');
    expect(browser.errors).toEqual([]);
  });

  it('keyboard: ? opens the shortcut help, Escape closes it; keys are ignored while typing; Ctrl combos are left alone', async () => {
    const page = await browser.newPage();
    await page.goto(server.http);
    await page.getByRole('status', { name: 'Connection: Live' }).waitFor();
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    await screenshot(page, 'dashboard-shortcuts');
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });

    const theme = () => page.locator('html').getAttribute('data-theme');
    const initial = await theme();
    await page.getByLabel('Add symbol').focus();
    await page.keyboard.type('t');
    expect(await theme()).toBe(initial);
    await expect(page.getByLabel('Add symbol').inputValue()).resolves.toBe('T');
    await page.getByLabel('Add symbol').fill('');
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+t');
    expect(await theme()).toBe(initial);

    // p pauses: the screen stops changing while the socket stays open; resuming catches up.
    await page.keyboard.press('p');
    await page.getByRole('button', { name: 'Resume', exact: true }).waitFor();
    const frozen = await page.getByTestId('price-AAPL').getAttribute('data-seq');
    const ticksBefore = await page.getByTestId('conn-total').locator('dd').innerText();
    await wait(async () => (await page.getByTestId('conn-total').locator('dd').innerText()) !== ticksBefore, 'ticks to keep arriving while paused');
    expect(await page.getByTestId('price-AAPL').getAttribute('data-seq')).toBe(frozen);
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await wait(async () => Number(await page.getByTestId('price-AAPL').getAttribute('data-seq')) > Number(frozen), 'the card to catch up');

    // Tab reaches the controls; focus is visible.
    await page.getByLabel('Add symbol').focus();
    await page.keyboard.press('Tab');
    const focused = await page.evaluate('document.activeElement?.textContent');
    expect(focused).toBe('Add');
    expect(browser.errors).toEqual([]);
  });

  it('is readable at 360 px wide', async () => {
    const page = await browser.newPage({ width: 360, height: 780 });
    await page.goto(server.http);
    await page.getByRole('status', { name: 'Connection: Live' }).waitFor();
    await wait(async () => Number(await page.getByTestId('chart').getAttribute('data-candles')) >= 2, 'candles');
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'dashboard-mobile-360');
    expect(browser.errors).toEqual([]);
  });
});
