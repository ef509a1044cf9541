import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousFindings } from '../support/axe.js';
import { cspViolations, launchBrowser, recordFrames, screenshot, type Browser } from '../support/browser.js';
import { startServer, type RunningServer } from '../support/server.js';
import { waitLong as wait } from '../support/wait.js';


/**
 * Paper trading in the dashboard against the real server (embedded orders role, in-memory order
 * queue, PGlite): the ticket, the fill toast, positions with P&L, open orders with cancel, fills,
 * the activity log's order lines, a server refusal shown with its message, reset, and axe.
 */
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  server = await startServer({ SYMBOLS: 'AAPL,MSFT,TSLA', TICK_RATE: '60' });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const signUp = async (page: Page): Promise<string> => {
  const username = `trader${Date.now().toString(36)}`;
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByTestId('username').innerText()).resolves.toBe(username);
  return username;
};

const token = (page: Page): Promise<string> => page.evaluate<string>(`JSON.parse(localStorage.getItem('tickstream.session')).token`);

const api = async <T>(page: Page, path: string): Promise<T> => {
  const response = await fetch(`${server.http}${path}`, { headers: { authorization: `Bearer ${await token(page)}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
};

// Browser steps wait on a live stream: generous per-test time, never a timing assertion.
describe('paper trading in the dashboard', { timeout: 300_000 }, () => {
  it('is offered to signed-in users only', async () => {
    const page = await browser.newPage();
    await page.goto(server.http);
    await page.getByRole('status', { name: 'Connection: Live' }).waitFor();
    await page.getByLabel('Username').waitFor();
    await expect(page.getByRole('region', { name: 'Paper trading' }).count()).resolves.toBe(0);
    await signUp(page);
    await page.getByRole('region', { name: 'Paper trading' }).waitFor();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('region', { name: 'Paper trading' }).waitFor({ state: 'detached' });
    await page.close();
  });

  it('market buy → fill toast, position with quantity and P&L, fill and order lines; limit far away → open → canceled; a refusal shows its message; reset; no serious axe findings', async () => {
    const page = await browser.newPage();
    const { frames } = recordFrames(page);
    let submissions = 0;
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/orders') submissions++;
    });
    await page.goto(server.http);
    await signUp(page);
    const trading = page.getByRole('region', { name: 'Paper trading' });
    await trading.waitFor();
    await wait(async () => (await page.getByTestId('portfolio-cash').locator('dd').innerText()) === '$100,000.00', 'the starting cash');
    await wait(() => frames.some((f) => f.direction === 'received' && (f.data as { type?: string }).type === 'authenticated'), 'the socket authenticated');
    await wait(async () => (await page.getByTestId('ticket-last').innerText()) !== 'Last —', 'a price on the ticket');

    // The ticket refuses a limit order without a price before sending it, with the server's code.
    await page.getByLabel('Order symbol').selectOption('AAPL');
    await page.getByLabel('Order type').selectOption('limit');
    await page.getByLabel('Quantity (shares)').fill('1');
    await page.getByRole('button', { name: 'Place order' }).click();
    await expect(page.getByTestId('ticket-error').innerText()).resolves.toContain('INVALID_ORDER_PRICE');
    await expect(page.getByLabel('Limit price').getAttribute('aria-invalid')).resolves.toBe('true');
    expect(submissions, 'nothing sent').toBe(0);

    // Market buy of 10 AAPL: fills on the next tick.
    await page.getByLabel('Order type').selectOption('market');
    await page.getByRole('radio', { name: 'Buy' }).check();
    await page.getByLabel('Quantity (shares)').fill('10');
    await page.getByRole('button', { name: 'Place order' }).click();
    const toast = page.getByTestId('toast').filter({ hasText: 'Order filled' });
    await toast.waitFor();
    await expect(toast.innerText()).resolves.toMatch(/Bought \d+ AAPL — 10 of 10 filled at [\d,.]+ average/);
    const position = trading.getByRole('table', { name: 'Positions' }).getByTestId('position-AAPL');
    await position.waitFor();
    await expect(page.getByTestId('position-quantity-AAPL').innerText()).resolves.toBe('10');
    await expect(page.getByTestId('position-pnl-AAPL').innerText()).resolves.toMatch(/^[+−]?\$[\d,]+\.\d\d$/);
    await trading.getByRole('table', { name: 'Fills' }).getByTestId('fill').first().waitFor();
    await expect(trading.getByRole('table', { name: 'Fills' }).getByTestId('fill').first().innerText()).resolves.toMatch(/buy\s+AAPL\s+\d+/);
    // The server agrees with what the page shows.
    const held = await api<{ positions: { symbol: string; quantity: number }[] }>(page, '/api/v1/portfolio');
    expect(held.positions).toMatchObject([{ symbol: 'AAPL', quantity: 10 }]);
    // A portfolio message arrived on the socket; the equity on the page is cash plus the position.
    await wait(() => frames.some((f) => f.direction === 'received' && (f.data as { type?: string }).type === 'portfolio'), 'a portfolio message');
    await expect(page.getByTestId('portfolio-cash').locator('dd').innerText()).resolves.not.toBe('$100,000.00');

    // The activity log's order filter alone shows the real order's lines, and nothing else.
    const others = ['tick', 'alert', 'system', 'error'] as const;
    for (const type of others) await page.getByRole('checkbox', { name: type, exact: true }).uncheck();
    const log = page.getByRole('log', { name: 'Activity entries' });
    await log.locator('li[data-type="order"]').filter({ hasText: /#\d+ buy 10 AAPL market day: filled, 10\/10 filled at [\d,.]+ avg/ }).first().waitFor();
    await expect(log.locator('li:not([data-type="order"])').count()).resolves.toBe(0);
    for (const type of others) await page.getByRole('checkbox', { name: type, exact: true }).check();

    // A limit buy far below the market rests as an open order; it is placed with the keyboard (Enter).
    await page.getByLabel('Order type').selectOption('limit');
    await page.getByLabel('Time in force').selectOption('gtc');
    await page.getByLabel('Limit price').fill('1.00');
    await page.getByLabel('Quantity (shares)').fill('3');
    await page.getByLabel('Quantity (shares)').press('Enter');
    const openOrders = trading.getByRole('table', { name: 'Open orders' });
    const cancel = openOrders.getByRole('button', { name: /^Cancel order #\d+: buy 3 AAPL limit 1\.00$/ });
    await cancel.waitFor();
    await expect(page.getByTestId('ticket-status').innerText()).resolves.toMatch(/^Order #\d+ buy 3 AAPL: (new|accepted)$/);

    // Axe on the signed-in page with every trading table filled in: dark and light, desktop and phone.
    for (const viewport of [{ width: 390, height: 844 }, { width: 1440, height: 900 }]) {
      await page.setViewportSize(viewport);
      for (const scheme of ['dark', 'light'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        expect(await seriousFindings(page), `${scheme} ${viewport.width}`).toEqual([]);
      }
    }
    await screenshot(page, 'dashboard-paper-trading');

    await cancel.focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('no-open-orders').waitFor();
    await page.getByRole('log', { name: 'Activity entries' }).locator('li[data-type="order"]').filter({ hasText: /buy 3 AAPL limit 1\.00 gtc: canceled \(CANCELED_BY_USER\)/ }).first().waitFor();
    const open = await api<{ orders: unknown[] }>(page, '/api/v1/orders?status=open');
    expect(open.orders).toEqual([]);

    // What the ticket would refuse, sent straight through the trading slice: the server's refusal is shown with its message and code.
    await page.evaluate(`tickstream.trading.submit({ symbol: 'AAPL', side: 'buy', type: 'market', quantity: 0 })`);
    const refusal = trading.getByRole('alert').filter({ hasText: 'INVALID_QUANTITY' });
    await refusal.waitFor();
    await expect(refusal.innerText()).resolves.toMatch(/^.+ \(INVALID_QUANTITY\)$/);

    // Reset asks once more, then starts over.
    await trading.getByRole('button', { name: 'Reset portfolio' }).click();
    await trading.getByRole('button', { name: 'Yes, reset' }).click();
    await page.getByTestId('no-positions').waitFor();
    await page.getByTestId('no-fills').waitFor();
    await wait(async () => (await page.getByTestId('portfolio-cash').locator('dd').innerText()) === '$100,000.00', 'the starting cash again');
    await expect(page.getByTestId('portfolio-total-pnl').locator('dd').innerText()).resolves.toBe('$0.00');
    const after = await api<{ cash: number; positions: unknown[] }>(page, '/api/v1/portfolio');
    expect(after).toMatchObject({ cash: 100_000, positions: [] });

    // Nothing the trading panel does trips the page's Content-Security-Policy.
    expect(await cspViolations(page)).toEqual([]);
    // The refused submission is the only failed request the page made.
    expect(browser.errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    await page.close();
  });
});
