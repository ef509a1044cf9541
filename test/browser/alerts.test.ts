import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, recordFrames, screenshot, sentMessages, type Browser } from '../support/browser.js';
import { startServer, type RunningServer } from '../support/server.js';
import { waitLong as wait } from '../support/wait.js';


/**
 * Accounts and alerts end to end, against the REAL accounts API (POST /api/v1/auth/register|login,
 * GET /api/v1/me, GET/POST/DELETE /api/v1/alerts, `{"action":"auth"}` on the socket and
 * `{"type":"alert",…}` when one triggers). test/browser/accounts-ui.test.ts covers the same UI
 * against a stand-in, including a server without accounts.
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

// Browser steps wait on a live stream: generous per-test time, never a timing assertion.
describe('alerts against the accounts API', { timeout: 180_000 }, () => {
  it('sign up, create an alert that triggers at once: toast, activity entry, triggered status; delete it; log out and back in', async () => {
    const doc = (await (await fetch(`${server.http}/docs/json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths), 'this test needs the accounts API in the server').toContain('/api/v1/auth/register');
    const page = await browser.newPage();
    const { frames } = recordFrames(page);
    await page.goto(server.http);
    const username = `ada${Date.now().toString(36)}`;
    const password = 'correct horse battery staple';
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect(page.getByTestId('username').innerText()).resolves.toBe(username);
    // The socket authenticates with the token and the server says who we are.
    await wait(() => sentMessages(frames).some((m) => m.action === 'auth' && typeof m.token === 'string'), 'an auth message');
    await wait(() => frames.some((f) => f.direction === 'received' && (f.data as { type?: string }).type === 'authenticated'), 'the authenticated reply');

    // AAPL trades far above 1: an "above 1" alert triggers on the next tick.
    await page.getByLabel('Symbol', { exact: true }).selectOption('AAPL');
    await page.getByLabel('Condition').selectOption('above');
    await page.getByLabel('Threshold').fill('1');
    await page.getByLabel('Note').fill('smoke');
    await page.getByRole('button', { name: 'Create alert' }).click();
    await page.getByRole('list', { name: 'Your alerts' }).getByText('AAPL above 1').waitFor();

    const toast = page.getByTestId('toast').filter({ hasText: 'Alert triggered' });
    await toast.waitFor();
    await expect(toast.innerText()).resolves.toContain('AAPL above 1');
    // The log keeps alert lines apart from the tick flood; showing only alerts finds them at once.
    await page.getByRole('checkbox', { name: 'tick' }).uncheck();
    await page.getByRole('log', { name: 'Activity entries' }).locator('li[data-type="alert"]').first().waitFor();
    await page.getByRole('checkbox', { name: 'tick' }).check();
    const alertFrame = frames.find((f) => f.direction === 'received' && (f.data as { type?: string }).type === 'alert')!.data as { alert: { symbol: string; status: string }; price: number };
    expect(alertFrame.alert.symbol).toBe('AAPL');
    expect(alertFrame.price).toBeGreaterThan(1);
    await wait(async () => (await page.getByRole('list', { name: 'Your alerts' }).locator('li[data-status="triggered"]').count()) === 1, 'the alert listed as triggered');
    await screenshot(page, 'dashboard-alert-real-api');

    await page.getByRole('button', { name: 'Delete alert AAPL above 1' }).click();
    await page.getByText('No alerts yet.').waitFor();
    await page.reload();
    await expect(page.getByTestId('username').innerText()).resolves.toBe(username);
    await page.getByText('No alerts yet.').waitFor();

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByTestId('username').innerText()).resolves.toBe(username);

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('Password').fill('wrong password');
    await page.getByLabel('Username').fill(username);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasNotText: 'Alert triggered' }).first().waitFor();
    // A refused login is answered 401: the browser logs that failed request, nothing else may fail.
    expect(browser.errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
  });
});
