import type { handleUnaryCall, ServerUnaryCall, ServiceError } from '@grpc/grpc-js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { ERROR_CODE_TRAILER, toGrpcError } from './status.js';

/**
 * A unary method from an async function: its value is the response; a TickstreamError becomes its
 * gRPC status (status.ts); anything else is logged and answered INTERNAL. Every call is counted by
 * method and stable code.
 */
export function unary<Req, Res>(method: string, metrics: Metrics, logger: Logger, fn: (call: ServerUnaryCall<Req, Res>) => Promise<Res>): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    fn(call).then(
      (response) => {
        metrics.grpcCalls.inc({ method, code: 'OK' });
        callback(null, response);
      },
      (thrown: unknown) => {
        const { error, internal } = toGrpcError(thrown);
        if (internal) logger.error({ err: thrown, method }, 'gRPC call failed');
        metrics.grpcCalls.inc({ method, code: String(error.metadata?.get(ERROR_CODE_TRAILER)[0] ?? 'INTERNAL') });
        callback(error as ServiceError, null);
      },
    );
  };
}
