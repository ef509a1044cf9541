import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import type { ErrorCode } from '../../domain/errors.js';
import { answerAndClose } from './refusal.js';

/** Node's codes for what went wrong on a connection before a request reached Fastify. */
const CODES: Readonly<Record<string, ErrorCode>> = {
  ERR_HTTP_REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  HPE_HEADER_OVERFLOW: 'HEADERS_TOO_LARGE',
};

/**
 * Fastify's `clientErrorHandler`: a request too slow for HTTP_HEADERS_TIMEOUT_MS or
 * HTTP_REQUEST_TIMEOUT_MS, headers too large, or bytes that are not HTTP. Answered in the
 * documented error shape (Fastify's default has its own), then closed so the peer can read it.
 */
export function clientErrorHandler(logger: FastifyBaseLogger) {
  return (error: NodeJS.ErrnoException, socket: Socket): void => {
    // A reset connection has nobody left to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const code = CODES[error.code ?? ''] ?? 'BAD_REQUEST';
    logger.debug({ code: error.code, remote: socket.remoteAddress }, 'client error');
    answerAndClose(socket, code, code === 'BAD_REQUEST' ? 'The request is not valid HTTP.' : undefined);
  };
}
