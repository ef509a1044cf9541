import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_WEB_ROOT } from '../../src/servers/http/routes/home.js';
import { accountsApp, type AccountsApp } from '../support/accounts-app.js';

/**
 * The HTTP edge: security headers with a CSP the dashboard passes, compression, and the
 * documented error shape for what Fastify refuses before any route (bad URL encoding, bytes that
 * are not HTTP) and for unknown API paths.
 */

let ctx: AccountsApp;
beforeAll(async () => (ctx = await accountsApp()));
afterAll(() => ctx?.close());

const get = (url: string, headers: Record<string, string> = {}) => ctx.app.inject({ method: 'GET', url, headers });

describe('security headers', () => {
  it('the dashboard page has a CSP allowing scripts from this origin and its own hashed inline script only', async () => {
    const page = await get('/');
    expect(page.statusCode).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
    const html = readFileSync(`${DEFAULT_WEB_ROOT}/index.html`, 'utf8');
    const inline = [...html.matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/gi)].map((m) => `'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`);
    expect(inline.length).toBeGreaterThan(0);
    expect(directives.get('script-src')).toEqual(["'self'", ...inline]);
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.has('upgrade-insecure-requests')).toBe(false);
    expect(csp).not.toContain('unsafe-eval');
    expect(directives.get('script-src')).not.toContain("'unsafe-inline'");
  });

  it('every response carries the usual hardening headers, API answers too', async () => {
    for (const url of ['/', '/api/v1/symbols', '/api/v1/nope', '/health']) {
      const res = await get(url);
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['x-frame-options'], url).toBe('SAMEORIGIN');
      expect(res.headers['referrer-policy'], url).toBe('no-referrer');
      expect(res.headers['strict-transport-security'], url).toMatch(/max-age=\d+/);
      expect(res.headers['cross-origin-opener-policy'], url).toBe('same-origin');
      expect(res.headers['content-security-policy'], url).toContain("script-src 'self'");
      expect(res.headers['x-powered-by'], url).toBeUndefined();
    }
  });
});

describe('compression', () => {
  const bundle = readdirSync(`${DEFAULT_WEB_ROOT}/assets`).find((f) => /^index-.*\.js$/.test(f))!;
  const original = readFileSync(`${DEFAULT_WEB_ROOT}/assets/${bundle}`);

  it('the dashboard bundle goes out as br or gzip, as accepted, and as is otherwise', async () => {
    const br = await get(`/assets/${bundle}`, { 'accept-encoding': 'br, gzip' });
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.rawPayload.length).toBeLessThan(original.length / 2);
    expect(brotliDecompressSync(br.rawPayload).equals(original)).toBe(true);

    const gzip = await get(`/assets/${bundle}`, { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.rawPayload).equals(original)).toBe(true);

    const plain = await get(`/assets/${bundle}`);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.rawPayload.equals(original)).toBe(true);
  });

  it('large JSON is compressed; small answers are not', async () => {
    const doc = await get('/docs/json', { 'accept-encoding': 'gzip' });
    expect(doc.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(doc.rawPayload).toString()).openapi).toMatch(/^3\./);
    const small = await get('/api/v1/nope', { 'accept-encoding': 'gzip' });
    expect(small.headers['content-encoding']).toBeUndefined();
  });
});

describe('error bodies in the documented shape', () => {
  it('a badly percent-encoded URL answers 400 BAD_URL', async () => {
    const res = await get('/api/v1/quotes/%E0%A4%A');
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual({ error: { code: 'BAD_URL', message: expect.any(String) } });
    // The seed's routes keep their envelope.
    const legacy = await get('/price/%E0%A4%A');
    expect(legacy.statusCode).toBe(400);
    expect(legacy.json()).toEqual({ message: expect.any(String), data: null, success: false, code: 'BAD_URL' });
  });

  it('unknown API paths answer a JSON 404 NOT_FOUND, whatever the method', async () => {
    for (const [method, url] of [['GET', '/api/v1/nope'], ['POST', '/api/v2/orders'], ['DELETE', '/api/v1/quotes'], ['GET', '/api']] as const) {
      const res = await ctx.app.inject({ method, url });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json(), `${method} ${url}`).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
    }
  });

  it('bytes that are not HTTP get 400 BAD_REQUEST in the same shape, on a real socket', async () => {
    await ctx.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = ctx.app.server.address() as AddressInfo;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      let text = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => (text += chunk));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({ error: { code: 'BAD_REQUEST', message: expect.any(String) } });
  });
});
