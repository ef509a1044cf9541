import { constants } from 'node:zlib';
import compress from '@fastify/compress';
import type { FastifyInstance } from 'fastify';

/**
 * br or gzip, as the client accepts, for responses of 1 KiB and more with a compressible type:
 * the dashboard's bundle, large JSON (history, candles, /docs/json), /metrics. Brotli at quality 5
 * rather than its default 11: responses are compressed as they are sent, and 11 would spend about
 * a second of CPU on the bundle for a few percent.
 */
export async function registerCompression(app: FastifyInstance): Promise<void> {
  await app.register(compress, {
    global: true,
    threshold: 1024,
    encodings: ['br', 'gzip'],
    brotliOptions: { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } },
  });
}
