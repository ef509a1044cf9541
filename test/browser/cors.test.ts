import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { launchBrowser, type Browser } from '../support/browser.js';
import { startServer, type RunningServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';

/**
 * A front end on another origin (the Next.js app of reference/stock-streaming-kafka-redis-ws.md:
 * REST on one origin, the page on another) calls the REST API from real Chromium, and the
 * kafka-stream-sim bridge's JSON bodies of /health and /metrics.
 */
let api: RunningServer;
let restricted: RunningServer;
let pages: Server;
let pageOrigin: string;
let browser: Browser;

const PAGE = '<!doctype html><title>another origin</title><p>front end</p>';

beforeAll(async () => {
  api = await startServer({ SYMBOLS: 'AAPL,MSFT', TICK_RATE: '50' });
  restricted = await startServer({ SYMBOLS: 'AAPL', TICK_RATE: '20', CORS_ORIGINS: 'https://only.example' });
  pages = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end(PAGE));
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  // `localhost` vs the API's `127.0.0.1`, and another port: a different origin either way.
  pageOrigin = `http://localhost:${(pages.address() as AddressInfo).port}`;
  browser = await launchBrowser();
  await waitFor(async () => Object.keys(((await (await fetch(`${api.http}/prices`)).json()) as { data: object }).data).length === 2, 'prices');
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => pages?.close(resolve));
  await api?.stop();
  await restricted?.stop();
});

interface Outcome {
  ok: boolean;
  status?: number;
  body?: unknown;
  retryAfter?: string | null;
  error?: string;
}

describe('CORS', { timeout: 120_000 }, () => {
  it('a page on another port fetches /prices and /api/v1/quotes, and sends a preflighted authorized request', async () => {
    const page = await browser.newPage();
    await page.goto(pageOrigin);
    const outcomes = await page.evaluate(async (base: string): Promise<Record<string, Outcome>> => {
      const call = async (path: string, init?: RequestInit): Promise<Outcome> => {
        try {
          const response = await fetch(base + path, init);
          return { ok: true, status: response.status, body: await response.json(), retryAfter: response.headers.get('retry-after') };
        } catch (error) {
          return { ok: false, error: String(error) };
        }
      };
      return {
        prices: await call('/prices'),
        quotes: await call('/api/v1/quotes'),
        // Authorization and a JSON body make this a preflighted request.
        me: await call('/api/v1/me', { headers: { Authorization: 'Bearer not-a-token', 'Idempotency-Key': 'k1' } }),
        register: await call('/api/v1/auth/register', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'cors_user', password: 'correct horse' }) }),
      };
    }, api.http);
    expect(outcomes.prices).toMatchObject({ ok: true, status: 200, body: { success: true } });
    expect(Object.keys((outcomes.prices!.body as { data: object }).data).sort()).toEqual(['AAPL', 'MSFT']);
    expect(outcomes.quotes).toMatchObject({ ok: true, status: 200 });
    // The answer is readable cross-origin: the stable code, not a network error.
    expect(outcomes.me).toMatchObject({ ok: true, status: 401, body: { error: { code: 'INVALID_TOKEN' } } });
    expect(outcomes.register).toMatchObject({ ok: true, status: 201, body: { user: { username: 'cors_user' } } });
    expect(browser.errors.filter((e) => /CORS|Access-Control/i.test(e))).toEqual([]);
  });

  it('preflight: allowed methods and headers, Retry-After exposed; an origin outside CORS_ORIGINS is blocked by the browser', async () => {
    const preflight = await fetch(`${api.http}/api/v1/alerts`, {
      method: 'OPTIONS',
      headers: { Origin: pageOrigin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,idempotency-key,content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toMatch(/authorization.*idempotency-key/);
    const simple = await fetch(`${api.http}/prices`, { headers: { Origin: pageOrigin } });
    expect(simple.headers.get('access-control-allow-origin')).toBe('*');
    expect(simple.headers.get('access-control-expose-headers')).toContain('Retry-After');

    const allowed = await fetch(`${restricted.http}/prices`, { headers: { Origin: 'https://only.example' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://only.example');
    const page = await browser.newPage();
    await page.goto(pageOrigin);
    const blocked = await page.evaluate(async (url: string) => fetch(url).then(() => 'read', (error: unknown) => String(error)), `${restricted.http}/prices`);
    expect(blocked).toMatch(/TypeError/);
  });
});

describe('the kafka-stream-sim bridge’s /health and /metrics bodies', () => {
  it('/health: "healthy", an ISO timestamp and metrics beside what it had', async () => {
    const health = (await (await fetch(`${api.http}/health`)).json()) as Record<string, unknown> & { metrics: Record<string, number> };
    expect(health).toMatchObject({ status: 'healthy', uptime: expect.any(Number) });
    expect(new Date(health.timestamp as string).toISOString()).toBe(health.timestamp);
    expect(Object.keys(health.metrics).sort()).toEqual(['connectedClients', 'messagesPerSecond', 'uptime']);
  });

  it('/metrics: Prometheus text by default, the JSON figures when JSON is preferred', async () => {
    const text = await fetch(`${api.http}/metrics`);
    expect(text.headers.get('content-type')).toContain('text/plain');
    expect(await text.text()).toContain('tickstream_ticks_processed_total');
    // One WebSocket client, so connectedClients counts it.
    const ws = new WebSocket(`${api.http.replace('http', 'ws')}/ws?symbols=AAPL`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    try {
      const json = await fetch(`${api.http}/metrics`, { headers: { Accept: 'application/json' } });
      expect(json.headers.get('content-type')).toContain('application/json');
      const body = (await json.json()) as Record<string, number>;
      expect(Object.keys(body).sort()).toEqual(['connectedClients', 'messagesProcessed', 'startTime', 'uptime']);
      expect(body.connectedClients).toBe(1);
      expect(body.startTime).toBeLessThanOrEqual(Date.now());
      expect(body.uptime).toBeGreaterThan(0);
      await waitFor(async () => ((await (await fetch(`${api.http}/metrics`, { headers: { Accept: 'application/json' } })).json()) as { messagesProcessed: number }).messagesProcessed > 0, 'ticks counted');
    } finally {
      ws.close();
    }
  });
});
