import type { Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, type Browser } from '../support/browser.js';
import { startServer, type RunningServer } from '../support/server.js';
import { waitLong as wait } from '../support/wait.js';


/**
 * The accounts panel against a stand-in for the accounts API (page.route for REST, routeWebSocket
 * for the socket's auth and alert messages), so the UI is covered whether or not the server has
 * accounts yet. test/browser/alerts.test.ts runs the same flow against the real API.
 */
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  server = await startServer({ SYMBOLS: 'AAPL,MSFT,TSLA', TICK_RATE: '30' });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const json = (route: Route, status: number, body: unknown) => route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });

/** The OpenAPI document the page reads to learn whether accounts exist. */
async function openApi(page: Page, withAccounts: boolean): Promise<void> {
  await page.route('**/docs/json', (route) => json(route, 200, { openapi: '3.0.3', paths: withAccounts ? { '/api/v1/auth/login': {}, '/api/v1/auth/register': {} } : { '/api/v1/quotes': {} } }));
}

// Browser steps wait on a live stream: generous per-test time, never a timing assertion.
describe('accounts and alerts panel', { timeout: 180_000 }, () => {
  it('a server without accounts: the panel says so, nothing fails in the console and no accounts request is made', async () => {
    const page = await browser.newPage();
    const accountCalls: string[] = [];
    page.on('request', (r) => {
      if (/\/api\/v1\/(auth|me|alerts)/.test(r.url())) accountCalls.push(r.url());
    });
    await openApi(page, false);
    await page.goto(server.http);
    await page.getByTestId('accounts-unavailable').waitFor();
    await expect(page.getByTestId('accounts-unavailable').innerText()).resolves.toMatch(/accounts not available/i);
    await page.getByRole('status', { name: 'Connection: Live' }).waitFor();
    expect(accountCalls).toEqual([]);
    expect(browser.errors).toEqual([]);
    await page.close();
  });

  it('sign up, create and delete an alert, log out; a triggered alert from the socket shows a toast and a log entry', async () => {
    const page = await browser.newPage();
    await openApi(page, true);
    const user = { id: 7, username: 'ada' };
    const alerts: Record<string, unknown>[] = [];
    const posted: unknown[] = [];
    await page.route('**/api/v1/auth/register', (route) => json(route, 201, { user, token: 'tok-1', expiresAt: new Date(Date.now() + 3_600_000).toISOString() }));
    await page.route('**/api/v1/alerts', async (route) => {
      if (route.request().headers().authorization !== 'Bearer tok-1') return json(route, 401, { error: { code: 'UNAUTHORIZED', message: 'no' } });
      if (route.request().method() === 'GET') return json(route, 200, { alerts });
      const body = route.request().postDataJSON() as Record<string, unknown>;
      posted.push(body);
      const alert = { id: 'a1', ...body, status: 'active', createdAt: new Date().toISOString(), triggeredAt: null, triggeredPrice: null };
      alerts.push(alert);
      return json(route, 201, alert);
    });
    await page.route('**/api/v1/alerts/a1', (route) => {
      alerts.length = 0;
      return route.fulfill({ status: 204 });
    });
    // The socket: the real gateway, with the accounts part played here.
    const authTokens: string[] = [];
    let pushAlert: ((message: unknown) => void) | undefined;
    await page.routeWebSocket(/\/ws/, (ws) => {
      const upstream = ws.connectToServer();
      ws.onMessage((message) => {
        const parsed = JSON.parse(String(message)) as { action?: string; token?: string };
        if (parsed.action === 'auth') {
          authTokens.push(parsed.token!);
          ws.send(JSON.stringify({ type: 'authenticated', user }));
        } else upstream.send(message);
      });
      pushAlert = (m) => ws.send(JSON.stringify(m));
    });

    await page.goto(server.http);
    await page.getByLabel('Username').fill('ada');
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect(page.getByTestId('username').innerText()).resolves.toBe('ada');
    await wait(() => authTokens.includes('tok-1'), 'the socket to authenticate');

    await page.getByLabel('Symbol', { exact: true }).selectOption('TSLA');
    await page.getByLabel('Condition').selectOption('crosses_above');
    await page.getByLabel('Threshold').fill('250');
    await page.getByLabel('Note').fill('breakout');
    await page.getByRole('button', { name: 'Create alert' }).click();
    await page.getByRole('list', { name: 'Your alerts' }).getByText('TSLA crosses above 250').waitFor();
    expect(posted).toEqual([{ symbol: 'TSLA', condition: 'crosses_above', threshold: 250, mode: 'once', cooldownSeconds: 60, note: 'breakout' }]);

    const triggered = { ...alerts[0], status: 'triggered', triggeredAt: new Date().toISOString(), triggeredPrice: 250.5 };
    alerts[0] = triggered;
    pushAlert!({ type: 'alert', alert: triggered, price: 250.5, ts: Date.now() });
    const toast = page.getByTestId('toast').filter({ hasText: 'Alert triggered' });
    await toast.waitFor();
    await expect(toast.innerText()).resolves.toContain('TSLA crosses above 250');
    await page.getByRole('log', { name: 'Activity entries' }).locator('li[data-type="alert"]').first().waitFor();
    await wait(async () => (await page.getByRole('list', { name: 'Your alerts' }).locator('li[data-status="triggered"]').count()) === 1, 'the alert shown as triggered');
    await screenshot(page, 'dashboard-alert-toast');

    // The log filter hides alert lines and shows them again.
    await page.getByRole('checkbox', { name: 'alert' }).uncheck();
    await expect(page.getByRole('log', { name: 'Activity entries' }).locator('li[data-type="alert"]').count()).resolves.toBe(0);
    await page.getByRole('checkbox', { name: 'alert' }).check();

    await page.getByRole('button', { name: 'Delete alert TSLA crosses above 250' }).click();
    await page.getByText('No alerts yet.').waitFor();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    expect(browser.errors).toEqual([]);
  });
});
