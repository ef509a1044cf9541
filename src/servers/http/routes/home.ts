import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

/** web/dist, from src/servers/http/routes or dist/servers/http/routes alike. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../../web/dist/', import.meta.url));

/**
 * Paths that belong to the API, the socket or operations: never answered with the dashboard, so an
 * unknown route under them keeps its JSON 404.
 */
const RESERVED = ['/api', '/docs', '/metrics', '/ws', '/health', '/ready', '/prices', '/price', '/alerts', '/socket.io'];

export function isReservedPath(pathname: string): boolean {
  // `/grpc…` in any spelling (`/grpc`, `/grpc.health.v1.Health/Check`): gRPC is on GRPC_PORT, never the page.
  if (pathname.startsWith('/grpc')) return true;
  return RESERVED.some((p) => pathname === p || pathname.startsWith(`${p}/`));
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>tickstream</title><link rel="icon" href="data:,">
<style>body{font:15px/1.5 system-ui,sans-serif;margin:2rem;max-width:40rem}code{background:#8882;padding:0 .3em}</style></head>
<body><h1>tickstream</h1>
<p>The dashboard is not built. Run <code>npm run build:web</code> (or <code>npm start</code>, which builds it) and reload.</p>
<p><a href="/docs">API docs</a> · <a href="/api/v1/quotes">/api/v1/quotes</a> · <a href="/metrics">/metrics</a></p>
</body></html>`;

export interface HomeOptions {
  /** Folder of the built dashboard (index.html and assets/). */
  readonly webRoot?: string;
}

/**
 * The dashboard at `/`: static files of web/dist, and index.html for any other page path (the
 * app routes on the client). Files with an extension that do not exist, and everything under the
 * reserved prefixes, fall through to the JSON 404.
 */
export const homeRoutes: FastifyPluginAsync<HomeOptions> = async (app, options) => {
  const root = options.webRoot ?? DEFAULT_WEB_ROOT;
  await app.register(fastifyStatic, { root, serve: false });

  const index = (reply: FastifyReply): FastifyReply => {
    if (!existsSync(`${root}/index.html`)) return reply.type('text/html; charset=utf-8').send(NOT_BUILT);
    // The page names hashed assets: it must be revalidated, they can be cached forever.
    return reply.header('cache-control', 'no-cache').sendFile('index.html', root, { cacheControl: false });
  };

  const notFound = (reply: FastifyReply): FastifyReply => {
    reply.callNotFound();
    return reply;
  };

  const page = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    let pathname: string;
    try {
      pathname = decodeURIComponent(request.url.split('?')[0] ?? '/');
    } catch {
      return notFound(reply);
    }
    if (pathname === '/' || pathname === '/index.html') return index(reply);
    if (isReservedPath(pathname) || pathname.includes('..') || pathname.includes('\0')) return notFound(reply);
    const last = pathname.slice(pathname.lastIndexOf('/') + 1);
    // A client-side route (no extension) gets the app; anything else must be a real file.
    if (!last.includes('.')) return index(reply);
    const immutable = pathname.startsWith('/assets/');
    return reply.sendFile(pathname.slice(1), root, immutable ? { maxAge: '365d', immutable: true } : { maxAge: 0 });
  };

  app.get('/', { schema: { hide: true } }, page);
  app.get('/*', { schema: { hide: true } }, page);
};
