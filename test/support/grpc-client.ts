import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as loader from '@grpc/proto-loader';

const PROTO_DIR = fileURLToPath(new URL('../../proto', import.meta.url));
const require = createRequire(import.meta.url);
const REFLECTION_DIR = join(dirname(require.resolve('@grpc/reflection/package.json')), 'build', 'proto');
const HEALTH_DIR = join(dirname(require.resolve('grpc-health-check/package.json')), 'proto');

/** Clients made from the repository's .proto files (and the standard health and reflection protos), as a user would. */
const definition = loader.loadSync(['tickstream/v1/market_data.proto', 'tickstream/v1/alerts.proto', 'health/v1/health.proto', 'grpc/reflection/v1/reflection.proto'], {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_DIR, HEALTH_DIR, REFLECTION_DIR],
});
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const pkg = grpc.loadPackageDefinition(definition) as any;

export type Client = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

export interface GrpcClients {
  readonly marketData: Client;
  readonly alerts: Client;
  readonly health: Client;
  readonly reflection: Client;
  close(): void;
}

export function grpcClients(address: string): GrpcClients {
  const credentials = grpc.credentials.createInsecure();
  const make = (ctor: typeof grpc.Client): Client => new ctor(address, credentials) as Client;
  const clients = {
    marketData: make(pkg.tickstream.v1.MarketData),
    alerts: make(pkg.tickstream.v1.Alerts),
    health: make(pkg.grpc.health.v1.Health),
    reflection: make(pkg.grpc.reflection.v1.ServerReflection),
  };
  return { ...clients, close: () => Object.values(clients).forEach((c) => c.close()) };
}

/** Calls a unary method; resolves with the response or rejects with the ServiceError. */
export function call<T = Record<string, unknown>>(client: Client, method: string, request: object, metadata: grpc.Metadata = new grpc.Metadata()): Promise<T> {
  return new Promise((resolve, reject) => {
    client[method]!(request, metadata, (error: grpc.ServiceError | null, response: T) => (error ? reject(error) : resolve(response)));
  });
}

/** The error of a call that must fail. */
export async function failure(promise: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as grpc.ServiceError;
  }
  throw new Error('the call succeeded');
}

export const codeOf = (error: grpc.ServiceError): string | undefined => error.metadata?.get('tickstream-error-code')[0]?.toString();

export function bearer(token: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

/** A port nobody listens on now (GRPC_PORT=0 means off, so tests pick one). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export { grpc };
