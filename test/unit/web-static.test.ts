import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installErrorHandling } from '../../src/servers/http/errors.js';
import { homeRoutes, isReservedPath } from '../../src/servers/http/routes/home.js';

/** The dashboard's static serving and SPA fallback, on a bare app with the real error handling. */
let root: string;
let app: FastifyInstance;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tickstream-web-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>dashboard</title>');
  writeFileSync(join(root, 'assets', 'app-1234.js'), 'console.log(1)');
  writeFileSync(join(root, 'favicon.svg'), '<svg/>');
  app = Fastify();
  installErrorHandling(app);
  app.get('/api/v1/symbols', async () => ({ symbols: ['AAPL'] }));
  await app.register(homeRoutes, { webRoot: root });
});
afterAll(async () => {
  await app?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('dashboard static files', () => {
  it('serves index.html at / (revalidated) and hashed assets cached for good', async () => {
    const page = await app.inject('/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.body).toContain('<title>dashboard</title>');
    const asset = await app.inject('/assets/app-1234.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toMatch(/immutable/);
    expect((await app.inject('/favicon.svg')).statusCode).toBe(200);
  });

  it('answers a client-side route with the app, but a missing file with the JSON 404', async () => {
    const route = await app.inject('/symbols/AAPL');
    expect(route.statusCode).toBe(200);
    expect(route.body).toContain('dashboard');
    const missing = await app.inject('/assets/gone-0000.js');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No route GET /assets/gone-0000.js.' } });
  });

  it('never answers API, docs, metrics, socket, health or seed paths with the page', async () => {
    for (const path of [
      '/api/v1/nope', '/api', '/docs/nope', '/metrics/x', '/ws', '/health/x', '/ready/x', '/prices/x', '/price/x/y', '/alerts/x',
      // Socket.IO when it is disabled (polling and websocket transports), gRPC paths, missing files.
      '/socket.io/?EIO=4&transport=polling', '/socket.io/?EIO=4&transport=websocket', '/grpc', '/grpc.health.v1.Health/Check', '/grpc/x', '/gone.png', '/deep/route/app.js',
    ]) {
      const response = await app.inject(path);
      expect(response.statusCode, path).toBe(404);
      expect(response.headers['content-type'], path).toMatch(/application\/json/);
    }
    expect((await app.inject('/api/v1/symbols')).json()).toEqual({ symbols: ['AAPL'] });
  });

  it('does not leave its folder', async () => {
    for (const path of ['/../package.json', '/assets/../../package.json', '/%2e%2e/package.json']) {
      expect((await app.inject(path)).statusCode, path).toBe(404);
    }
  });

  it('reserved prefixes match whole path segments', () => {
    expect(isReservedPath('/api')).toBe(true);
    expect(isReservedPath('/api/v1/quotes')).toBe(true);
    expect(isReservedPath('/apiary')).toBe(false);
    expect(isReservedPath('/prices')).toBe(true);
    expect(isReservedPath('/pricing')).toBe(false);
  });

  it('says how to build the dashboard when web/dist is missing', async () => {
    const bare = Fastify();
    installErrorHandling(bare);
    await bare.register(homeRoutes, { webRoot: join(root, 'nowhere') });
    const page = await bare.inject('/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('npm run build:web');
    await bare.close();
  });
});
