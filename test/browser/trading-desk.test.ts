import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seriousFindings } from '../support/axe.js';
import { browserSuite } from '../support/browser-suite.js';
import { waitLong as wait } from '../support/wait.js';


const ENV = { SYMBOLS: 'AAPL,MSFT,GOOGL,AMZN,TSLA,NVDA,META,NFLX', TICK_RATE: '60' };
const suite = browserSuite(ENV);
const { servers, start } = suite;
const live = (page: Page) => page.getByRole('status', { name: 'Connection: Live' }).waitFor();
const total = async (page: Page) => Number((await page.getByTestId('conn-total').locator('dd').innerText()).replace(/,/g, ''));

// Browser steps wait on a live stream: generous per-test time, never a timing assertion.
describe('a dashboard traders keep open all day', { timeout: 240_000 }, () => {
  it('marks every price and the chart stale when the server stops, and clears the marks when the stream resumes', async () => {
    const first = await start();
    const page = await suite.browser.newPage();
    await page.goto(first.http);
    await live(page);
    await wait(async () => (await page.getByTestId('price-AAPL').innerText()) !== '—', 'a price for AAPL');
    await expect(page.locator('[data-stale="true"]').count()).resolves.toBe(0);

    await first.stop();
    await page.getByRole('status', { name: 'Connection: Reconnecting' }).waitFor();
    await page.getByTestId('stale-AAPL').waitFor();
    await expect(page.getByRole('listitem', { name: 'MSFT (stale)' }).count()).resolves.toBe(1);
    await expect(page.getByTestId('chart').getAttribute('data-stale')).resolves.toBe('true');
    await expect(page.getByTestId('chart-state').innerText()).resolves.toMatch(/stale/i);

    // The same port again: a new process, so a new sequence space (the page is told, not fooled).
    await start({ PORT: String(first.port) });
    await live(page);
    await wait(async () => (await page.locator('[data-stale="true"]').count()) === 0, 'every stale mark gone');
    await page.getByTestId('stream-note').waitFor();
    expect(await page.getByTestId('stream-note').innerText()).toMatch(/^(Resumed|History lost)/);
    // A server shutting down answers a poll that reaches it meanwhile with 503 (Fastify's
    // return503OnClosing), then refuses connections; nothing else may go wrong.
    expect(suite.browser.errors.filter((e) => !/ERR_CONNECTION_REFUSED|WebSocket connection|status of 503/.test(e))).toEqual([]);
    await page.close();
  });

  it("answers the reference dashboard's Ctrl/Cmd shortcuts and the chart controls", async () => {
    const server = await start();
    const page = await suite.browser.newPage();
    await page.goto(server.http);
    await live(page);
    await wait(async () => (await total(page)) > 20, 'ticks');

    // Ctrl+K toggles the connection.
    await page.keyboard.press('Control+k');
    await page.getByRole('status', { name: 'Connection: Disconnected' }).waitFor();
    await page.keyboard.press('Control+k');
    await live(page);

    // Ctrl+L hides and shows the activity log.
    await page.getByRole('log', { name: 'Activity entries' }).waitFor();
    await page.keyboard.press('Control+l');
    await page.getByRole('log', { name: 'Activity entries' }).waitFor({ state: 'detached' });
    await page.keyboard.press('Control+l');
    await page.getByRole('log', { name: 'Activity entries' }).waitFor();

    // Ctrl+H: high-frequency mode, remembered; the log says its tick lines are sampled.
    const hf = page.getByRole('button', { name: /^HF/ });
    await expect(hf.getAttribute('aria-pressed')).resolves.toBe('false');
    await page.keyboard.press('Control+h');
    await expect(hf.getAttribute('aria-pressed')).resolves.toBe('true');
    await page.getByText('High-frequency mode: tick lines are sampled.').waitFor();
    await wait(async () => (await page.getByRole('log', { name: 'Activity entries' }).locator('li[data-type="tick"]').filter({ hasText: 'more)' }).count()) > 0, 'a sampled tick line');

    // Ctrl+R clears all data instead of reloading the page: the tick count starts again from zero.
    const before = await total(page);
    await page.evaluate('window.__sameDocument = true');
    await page.keyboard.press('Control+r');
    await wait(async () => (await total(page)) < before, 'the statistics to be cleared');
    await expect(page.evaluate('window.__sameDocument')).resolves.toBe(true);
    await page.getByText('Cleared all data; loading afresh.').waitFor();

    // Typing in a field never triggers them.
    await page.getByLabel('Add symbol').focus();
    await page.keyboard.press('Control+l');
    await page.getByRole('log', { name: 'Activity entries' }).waitFor();
    await page.locator('body').click({ position: { x: 5, y: 5 } });

    // Chart: pause freezes it while the cards go on; resume catches up; zoom reset and windows.
    const chart = page.getByTestId('chart');
    await wait(async () => Number(await chart.getAttribute('data-candles')) >= 2, 'candles');
    await page.getByRole('button', { name: 'Pause chart' }).click();
    await expect(chart.getAttribute('data-paused')).resolves.toBe('true');
    const frozen = await chart.getAttribute('data-last-time');
    const seq = await page.getByTestId('price-AAPL').getAttribute('data-seq');
    await wait(async () => (await page.getByTestId('price-AAPL').getAttribute('data-seq')) !== seq, 'the card to move on');
    await wait(async () => Number(await page.evaluate('window.tickstream.market.chart.series.last.time')) > Number(frozen), 'a newer candle built behind the paused chart');
    expect(await chart.getAttribute('data-last-time')).toBe(frozen);
    await page.getByRole('button', { name: 'Resume chart' }).click();
    await wait(async () => Number(await chart.getAttribute('data-last-time')) > Number(frozen), 'the chart to catch up');
    await page.getByLabel('Time window').selectOption('1m');
    await page.getByRole('button', { name: 'Reset zoom' }).click();
    await page.keyboard.press('0');
    // The crosshair legend shows the candle under the pointer with its OHLC and volume.
    const box = (await chart.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await wait(async () => /O .* H .* L .* C .* V /.test(await page.getByTestId('chart-legend').innerText()), 'an OHLC legend');
    await page.reload();
    await expect(page.getByLabel('Time window').inputValue()).resolves.toBe('1m');
    await expect(page.getByRole('button', { name: /^HF/ }).getAttribute('aria-pressed')).resolves.toBe('true');
    expect(suite.browser.errors).toEqual([]);
    await page.close();
  });

  it('shows the watchlist as a sortable table, remembered across reloads', async () => {
    const server = await start();
    const page = await suite.browser.newPage();
    await page.goto(server.http);
    await live(page);
    await page.getByRole('radio', { name: 'Table' }).check();
    const table = page.getByRole('table', { name: 'Watched symbols' });
    await table.waitFor();
    const symbols = () => table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-symbol')));
    expect(await symbols()).toEqual(['AAPL', 'AMZN', 'GOOGL', 'MSFT', 'NVDA', 'TSLA']);
    await page.getByTestId('sort-symbol').click();
    await wait(async () => (await symbols())[0] === 'TSLA', 'descending by symbol');
    await page.getByTestId('sort-price').click();
    const prices = async () => Promise.all((await symbols()).map(async (s) => Number((await page.getByTestId(`row-price-${s}`).innerText()).replace(/[^\d.]/g, ''))));
    await wait(async () => {
      const p = await prices();
      return p.every((v) => v > 0) && p.every((v, i) => i === 0 || p[i - 1]! >= v);
    }, 'rows ordered by price, highest first');
    await expect(table.locator('th[aria-sort="descending"]').innerText()).resolves.toMatch(/Last/);
    await page.reload();
    await page.getByRole('table', { name: 'Watched symbols' }).waitFor();
    await expect(page.locator('th[aria-sort="descending"]').innerText()).resolves.toMatch(/Last/);
    // Density: every watched symbol fits on a 1440×900 screen without scrolling.
    const lastRow = await page.locator('tbody tr').last().boundingBox();
    expect(lastRow!.y + lastRow!.height).toBeLessThanOrEqual(900);
    await page.keyboard.press('v');
    await page.getByRole('list', { name: 'Watched symbols' }).waitFor();
    expect(suite.browser.errors).toEqual([]);
    await page.close();
  });

  it('the chart fills its panel at every size', async () => {
    const server = servers.at(-1)!;
    const page = await suite.browser.newPage({ width: 1440, height: 900 });
    await page.goto(server.http);
    await live(page);
    const fills = async (): Promise<boolean> => {
      const box = await page.locator('.chart-box').boundingBox();
      const canvas = await page.getByTestId('chart').boundingBox();
      return box !== null && canvas !== null && Math.abs(box.width - canvas.width) <= 2 && Math.abs(box.height - canvas.height) <= 2 && canvas.height > 200;
    };
    await wait(fills, 'the chart to fill its box at 1440×900');
    for (const size of [{ width: 1024, height: 768 }, { width: 1920, height: 1080 }, { width: 390, height: 844 }]) {
      await page.setViewportSize(size);
      await wait(fills, `the chart to fill its box at ${size.width}×${size.height}`);
      // lightweight-charts' own canvas follows its container (autoSize).
      await wait(async () => {
        const host = await page.getByTestId('chart').boundingBox();
        const drawn = await page.getByTestId('chart').locator('canvas').first().boundingBox();
        return host !== null && drawn !== null && Math.abs(host.width - drawn.width) <= 60;
      }, `the canvas to follow at ${size.width}×${size.height}`);
    }
    await page.close();
  });

  it('has no serious or critical axe-core findings in light and dark, desktop and phone; keeps a README screenshot current', async () => {
    const server = servers.at(-1)!;
    const findings: Record<string, unknown> = {};
    for (const scheme of ['dark', 'light'] as const) {
      for (const viewport of [{ width: 1440, height: 900 }, { width: 390, height: 844 }]) {
        const page = await suite.browser.newPage(viewport);
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(server.http);
        await live(page);
        await wait(async () => Number(await page.getByTestId('chart').getAttribute('data-candles')) >= 2, 'candles');
        const found = await seriousFindings(page);
        if (found.length > 0) findings[`${scheme} ${viewport.width}`] = found;
        // The README's screenshot, taken by the suite so it stays current (issue 18): commit it when it changed.
        if (scheme === 'dark' && viewport.width === 1440) {
          mkdirSync('docs', { recursive: true });
          await page.screenshot({ path: join('docs', 'dashboard.png') });
        }
        await page.close();
      }
    }
    expect(findings).toEqual({});
  });

  it('every panel can be reached with the keyboard, including the activity log', async () => {
    const server = servers.at(-1)!;
    const page = await suite.browser.newPage();
    await page.goto(server.http);
    await live(page);
    const reached = new Set<string>();
    for (let i = 0; i < 150 && !reached.has('activity-title'); i++) {
      await page.keyboard.press('Tab');
      const where = await page.evaluate<string | null>(`document.activeElement?.closest('section')?.getAttribute('aria-labelledby') ?? null`);
      if (where) reached.add(where);
    }
    expect([...reached]).toEqual(expect.arrayContaining(['watchlist-title', 'chart-title', 'activity-title']));
    const log = page.getByRole('log', { name: 'Activity entries' });
    await log.focus();
    await expect(page.evaluate('document.activeElement.getAttribute("role")')).resolves.toBe('log');
    await page.close();
  });
});
