import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { recordFrames, screenshot } from '../support/browser.js';
import { browserSuite } from '../support/browser-suite.js';
import type { RunningServer } from '../support/server.js';
import { waitLong as wait } from '../support/wait.js';


/**
 * What the dashboard says and keeps under way (issue 18): one quiet symbol marked stale while the
 * others stay live, the signed-out state after the server refuses the token, the desk fitting a
 * 1440×900 screen, and an activity log that stays small in the DOM however many lines it holds.
 */
const WATCHED = ['AAPL', 'MSFT', 'GOOGL', 'AMZN', 'TSLA', 'NVDA'];
const KEY = 'desk-states-key-0123456789';
const suite = browserSuite();
const { servers, start } = suite;
const live = (page: Page) => page.getByRole('status', { name: 'Connection: Live' }).waitFor();
const staleOf = (page: Page, symbol: string) => page.locator(`li.card[data-symbol="${symbol}"]`).getAttribute('data-stale');

/** Posts one trade for each symbol through the ingest API every 300 ms until stopped. */
function feed(server: RunningServer, symbols: Set<string>): { stop(): void } {
  let price = 100;
  const timer = setInterval(() => {
    price += 0.01;
    const ticks = [...symbols].map((symbol) => ({ symbol, price: Number(price.toFixed(2)), size: 1, ts: Date.now() }));
    if (ticks.length === 0) return;
    fetch(`${server.http}/api/v1/ticks`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body: JSON.stringify(ticks) }).catch(() => undefined);
  }, 300);
  return { stop: () => clearInterval(timer) };
}

// Browser steps wait on a live stream: generous per-test time, never a timing assertion.
describe('the desk under way', { timeout: 240_000 }, () => {
  it('marks one symbol stale when it stops trading while the others stay live, and clears the mark when it trades again', async () => {
    // Ticks only from the ingest API (no simulator): the test decides which symbol goes quiet.
    const server = await start({ SYMBOLS: WATCHED.join(','), INGEST_API_KEYS: `desk:${KEY}` });
    const trading = new Set(WATCHED);
    const source = feed(server, trading);
    try {
      const page = await suite.browser.newPage();
      await page.goto(server.http);
      await live(page);
      await wait(async () => (await page.getByTestId('price-MSFT').innerText()) !== '—' && (await page.getByTestId('price-AAPL').innerText()) !== '—', 'prices for MSFT and AAPL');
      expect(await staleOf(page, 'MSFT')).toBe('false');

      trading.delete('MSFT');
      await page.getByTestId('stale-MSFT').waitFor({ timeout: 60_000 });
      await expect(page.getByRole('listitem', { name: 'MSFT (stale)' }).count()).resolves.toBe(1);
      // The stream is up and the others trade: only MSFT is marked, and the chart (AAPL) is not.
      await expect(page.getByRole('status', { name: 'Connection: Live' }).count()).resolves.toBe(1);
      for (const symbol of WATCHED.filter((s) => s !== 'MSFT')) expect([symbol, await staleOf(page, symbol)]).toEqual([symbol, 'false']);
      await expect(page.getByTestId('chart').getAttribute('data-stale')).resolves.toBe('false');
      await screenshot(page, 'dashboard-one-symbol-stale');

      trading.add('MSFT');
      await wait(async () => (await staleOf(page, 'MSFT')) === 'false', 'the MSFT mark gone once it trades again');
      await expect(page.getByTestId('stale-MSFT').count()).resolves.toBe(0);
      expect(suite.browser.errors).toEqual([]);
      await page.close();
    } finally {
      source.stop();
    }
  });

  it('says "signed out" on screen when the server refuses the remembered token, and streams on anonymously', async () => {
    const server = await start({ SYMBOLS: WATCHED.join(','), TICK_RATE: '60' });
    const page = await suite.browser.newPage();
    // A session from another server (or an old secret): well-formed, not expired, refused.
    const session = { token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.forged-signature', user: { id: 1, username: 'gone' }, expiresAt: new Date(Date.now() + 3_600_000).toISOString() };
    await page.addInitScript(`if (!sessionStorage.getItem('seeded')) { sessionStorage.setItem('seeded', '1'); localStorage.setItem('tickstream.session', ${JSON.stringify(JSON.stringify(session))}); }`);
    const { frames } = recordFrames(page);
    await page.goto(server.http);
    const note = page.getByTestId('stream-note');
    await wait(async () => (await note.count()) > 0 && (await note.getAttribute('data-kind')) === 'signedOut', 'the signed-out note');
    expect(await note.innerText()).toMatch(/signed out/i);
    await live(page);
    // The token is gone from the page and from later sockets; the sign-in form is back; prices flow.
    await expect(page.evaluate('localStorage.getItem("tickstream.session")')).resolves.toBeNull();
    await page.getByLabel('Username').waitFor();
    await wait(async () => (await page.getByTestId('price-AAPL').innerText()) !== '—', 'a price for AAPL');
    const sentToken = (socket: number) => frames.some((f) => f.socket === socket && f.direction === 'sent' && JSON.stringify(f.data).includes(session.token));
    const tickOn = (socket: number) => frames.some((f) => f.socket === socket && f.direction === 'received' && (f.data as { type?: string }).type === 'tick');
    await wait(() => frames.some((f) => tickOn(f.socket) && !sentToken(f.socket)), 'ticks on a socket that never sent the token');
    const lastSocket = Math.max(...frames.map((f) => f.socket));
    expect(sentToken(lastSocket)).toBe(false);
    // Still said after the anonymous socket is live: the note is the state, not a passing message.
    expect(await note.getAttribute('data-kind')).toBe('signedOut');
    await screenshot(page, 'dashboard-signed-out');
    expect(suite.browser.errors.filter((e) => !/401|WebSocket/.test(e))).toEqual([]);
    await page.close();
  });

  it('fits the movers panel and the trading panels on a 1440×900 screen without scrolling', async () => {
    const server = servers.at(-1)!;
    const page = await suite.browser.newPage({ width: 1440, height: 900 });
    await page.goto(server.http);
    await live(page);
    await page.getByLabel('Username').fill(`fit${Date.now().toString(36)}`);
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('region', { name: 'Paper trading' }).waitFor();
    await page.getByRole('heading', { name: 'Top gainers' }).waitFor();
    await page.evaluate('window.scrollTo(0, 0)');
    const boxes: Record<string, { x: number; y: number; width: number; height: number } | null> = {};
    for (const name of ['Market', 'Paper trading']) boxes[name] = await page.getByRole('region', { name }).boundingBox();
    for (const name of ['Order ticket', 'Positions', 'Open orders', 'Fills']) boxes[name] = await page.getByRole('heading', { name, exact: true }).boundingBox();
    const outside = Object.entries(boxes).filter(([, b]) => !b || b.x < 0 || b.y < 0 || b.x + b.width > 1440 || b.y + b.height > 900);
    expect(outside).toEqual([]);
    await screenshot(page, 'dashboard-desk-1440x900');
    expect(suite.browser.errors).toEqual([]);
    await page.close();
  });

  it('keeps the activity log small in the DOM however many lines it holds, and scrolls it by keyboard', async () => {
    const server = await start({ SYMBOLS: WATCHED.join(','), TICK_RATE: '400' });
    const page = await suite.browser.newPage();
    await page.goto(server.http);
    await live(page);
    const log = page.getByRole('log', { name: 'Activity entries' });
    await wait(async () => Number(await log.getAttribute('data-entries')) >= 500, 'five hundred lines in the log');
    const rows = await log.locator('li').count();
    expect(rows).toBeGreaterThan(5);
    expect(rows).toBeLessThanOrEqual(40);
    // The keyboard reaches the log and moves through it: other lines are rendered, still few.
    await log.focus();
    await expect(page.evaluate('document.activeElement.getAttribute("role")')).resolves.toBe('log');
    const firstId = await log.locator('li').first().getAttribute('data-id');
    await page.keyboard.press('End');
    await wait(async () => (await log.evaluate((el) => el.scrollTop)) > 0, 'the log to scroll');
    await wait(async () => !(await log.locator('li').evaluateAll((els, id) => els.some((el) => el.getAttribute('data-id') === id), firstId)), 'other lines rendered at the end');
    expect(await log.locator('li').count()).toBeLessThanOrEqual(40);
    expect(suite.browser.errors).toEqual([]);
    await page.close();
  });
});
