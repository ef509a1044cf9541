import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import helmet from 'helmet';
import type { FastifyInstance } from 'fastify';

const INLINE_SCRIPT = /<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/gi;

/**
 * CSP hashes of the inline scripts of the dashboard's page (the theme picked before the first
 * paint), read from the built index.html, so the policy allows exactly those and no other inline
 * script. No page built: none.
 */
function inlineScriptHashes(indexHtmlPath: string): string[] {
  let html: string;
  try {
    html = readFileSync(indexHtmlPath, 'utf8');
  } catch {
    return [];
  }
  return [...html.matchAll(INLINE_SCRIPT)].map((m) => `'sha256-${createHash('sha256').update(m[1] ?? '').digest('base64')}'`);
}

/**
 * Security headers on every response (`helmet`). The dashboard keeps its token in
 * localStorage, so the Content-Security-Policy admits scripts from this origin only (and the page's
 * hashed inline script): an injected script tag or a script from elsewhere does not run. Styles
 * may be inline (React and the charts set them); they cannot read the token.
 */
export async function registerSecurityHeaders(app: FastifyInstance, indexHtmlPath: string): Promise<void> {
  // helmet's own middleware, built once. @fastify/helmet built it again on every request (the
  // policy parsed and every header name formatted anew): ~3 % of the server's CPU under REST load.
  const setHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", ...inlineScriptHashes(indexHtmlPath)],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        // 'self' covers this origin's ws:/wss: (the dashboard's socket) in current browsers.
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        // No upgrade-insecure-requests: the dashboard is often served over plain HTTP on a LAN
        // address, where upgrading its assets to https would break it.
      },
    },
    // The REST API is meant to be called from other origins (CORS_ORIGINS); CORS decides that.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
  });
  app.addHook('onRequest', (request, reply, done) => setHeaders(request.raw, reply.raw, (error) => done(error as Error | undefined)));
}
