import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPackageDefinition, type GrpcObject, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';

/** The repository's `proto/` directory: three levels up from src/servers/grpc and from dist/servers/grpc. */
const PROTO_DIR = fileURLToPath(new URL('../../../proto', import.meta.url));

const TICKSTREAM_FILES = ['tickstream/v1/market_data.proto', 'tickstream/v1/alerts.proto'];

/**
 * The standard health proto as grpc-health-check ships it: loaded beside ours only so reflection
 * can describe `grpc.health.v1.Health` to grpcurl (the package serves it itself).
 */
const HEALTH_DIR = join(dirname(createRequire(import.meta.url).resolve('grpc-health-check/package.json')), 'proto');
const HEALTH_FILE = 'health/v1/health.proto';

/**
 * How messages look in JavaScript, on the server and in the tests' clients: field names as in the
 * .proto (snake_case), enums as their names, int64 as numbers (epoch milliseconds and seqs stay
 * far below 2^53), defaults filled in, and the set field of a oneof named.
 */
const LOADER_OPTIONS = { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true, includeDirs: [PROTO_DIR, HEALTH_DIR] };

export interface TickstreamProtos {
  readonly definition: PackageDefinition;
  readonly marketData: ServiceDefinition;
  readonly alerts: ServiceDefinition;
}

export function loadProtos(): TickstreamProtos {
  const definition = loadSync([...TICKSTREAM_FILES, HEALTH_FILE], LOADER_OPTIONS);
  const v1 = (loadPackageDefinition(definition).tickstream as GrpcObject).v1 as GrpcObject;
  return {
    definition,
    marketData: (v1.MarketData as unknown as { service: ServiceDefinition }).service,
    alerts: (v1.Alerts as unknown as { service: ServiceDefinition }).service,
  };
}
