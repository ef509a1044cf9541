import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { ERROR_CODES, TickstreamError, type ErrorCode } from '../../domain/errors.js';

/** The trailer that carries the stable error code (also the first word of the status message). */
export const ERROR_CODE_TRAILER = 'tickstream-error-code';

/** Codes whose gRPC status is not the one their HTTP status suggests: limits are RESOURCE_EXHAUSTED. */
const BY_CODE: Partial<Record<ErrorCode, status>> = {
  TOO_MANY_SYMBOLS: status.RESOURCE_EXHAUSTED,
  TOO_MANY_INDICATORS: status.RESOURCE_EXHAUSTED,
  TOO_MANY_ALERTS: status.RESOURCE_EXHAUSTED,
  TOO_MANY_CONNECTIONS: status.RESOURCE_EXHAUSTED,
  SLOW_CONSUMER: status.RESOURCE_EXHAUSTED,
  SYMBOL_LIMIT: status.RESOURCE_EXHAUSTED,
  USERNAME_TAKEN: status.ALREADY_EXISTS,
  NOT_READY: status.UNAVAILABLE,
};

const BY_HTTP_STATUS: Record<number, status> = {
  400: status.INVALID_ARGUMENT,
  401: status.UNAUTHENTICATED,
  403: status.PERMISSION_DENIED,
  404: status.NOT_FOUND,
  408: status.DEADLINE_EXCEEDED,
  409: status.FAILED_PRECONDITION,
  413: status.RESOURCE_EXHAUSTED,
  422: status.FAILED_PRECONDITION,
  429: status.RESOURCE_EXHAUSTED,
  501: status.UNIMPLEMENTED,
  503: status.UNAVAILABLE,
};

export function grpcStatusOf(code: ErrorCode): status {
  return BY_CODE[code] ?? BY_HTTP_STATUS[ERROR_CODES[code].status] ?? status.INTERNAL;
}

/**
 * A stable code answered with another status than its usual one: a symbol in a request body is a
 * wrong argument (INVALID_ARGUMENT, as REST answers 400), not a missing resource (NOT_FOUND).
 */
export class StatusOverride extends TickstreamError {
  constructor(
    code: ErrorCode,
    readonly grpcStatus: status,
    message?: string,
  ) {
    super(code, message);
  }
}

/**
 * A stable error as a gRPC status: `CODE: message` as the details, and the code alone in the
 * `tickstream-error-code` trailer, so clients match on it as they do on HTTP and WebSocket bodies.
 */
export function grpcError(code: ErrorCode, message: string = ERROR_CODES[code].text, grpcStatus: status = grpcStatusOf(code)): Partial<ServiceError> {
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_TRAILER, code);
  return { code: grpcStatus, details: `${code}: ${message}`, metadata };
}

/** Any error a handler threw: ours keep their code, anything else is INTERNAL (and logged by the caller). */
export function toGrpcError(error: unknown): { error: Partial<ServiceError>; internal: boolean } {
  if (error instanceof StatusOverride) return { error: grpcError(error.code, error.message, error.grpcStatus), internal: false };
  if (error instanceof TickstreamError) return { error: grpcError(error.code, error.message), internal: false };
  return { error: grpcError('INTERNAL'), internal: true };
}
