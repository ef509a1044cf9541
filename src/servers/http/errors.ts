import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, TickstreamError, type ErrorCode } from '../../domain/errors.js';

/** The error body of /api/v1 and every route without a legacy shape. */
export function errorBody(code: ErrorCode, message: string = ERROR_CODES[code].text) {
  return { error: { code, message } };
}

export function sendError(reply: FastifyReply, code: ErrorCode, message?: string): FastifyReply {
  return reply.code(ERROR_CODES[code].status).send(errorBody(code, message));
}

/** Routes under these prefixes answer errors in the seed's `{message, data, success}` envelope. */
const LEGACY_PREFIXES = ['/price/', '/prices'];

function isLegacyUrl(url: string): boolean {
  return LEGACY_PREFIXES.some((p) => url.startsWith(p));
}

export function legacyError(code: ErrorCode, message: string = ERROR_CODES[code].text) {
  return { message, data: null, success: false as const, code };
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | TickstreamError, request, reply) => {
    let code: ErrorCode;
    let message: string;
    if (error instanceof TickstreamError) {
      code = error.code;
      message = error.message;
    } else if ((error as FastifyError).statusCode === 413) {
      code = 'MESSAGE_TOO_LARGE';
      message = 'The request body is too large.';
    } else if ((error as FastifyError).statusCode !== undefined && (error as FastifyError).statusCode! < 500) {
      code = 'BAD_REQUEST';
      message = error.message;
    } else {
      request.log.error({ err: error }, 'request failed');
      code = 'INTERNAL';
      message = ERROR_CODES.INTERNAL.text;
    }
    const status = error instanceof TickstreamError ? error.status : ((error as FastifyError).statusCode ?? ERROR_CODES[code].status);
    void reply.code(status >= 400 ? status : ERROR_CODES[code].status).send(isLegacyUrl(request.url) ? legacyError(code, message) : errorBody(code, message));
  });
  app.setNotFoundHandler((request, reply) => {
    const message = `No route ${request.method} ${request.url.split('?')[0]}.`;
    void reply.code(404).send(isLegacyUrl(request.url) ? legacyError('NOT_FOUND', message) : errorBody('NOT_FOUND', message));
  });
}

/**
 * Fastify's `frameworkErrors`: what its router refuses before any route runs (a URL that is not
 * validly percent-encoded, a parameter too long), in the documented shape with a stable code.
 */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const code: ErrorCode = error.code === 'FST_ERR_BAD_URL' ? 'BAD_URL' : 'BAD_REQUEST';
  const message = code === 'BAD_URL' ? ERROR_CODES.BAD_URL.text : error.message;
  void reply.code(ERROR_CODES[code].status).send(isLegacyUrl(request.url) ? legacyError(code, message) : errorBody(code, message));
}
