import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { RoleName } from '../../src/config/schema.js';
import { ERROR_CODES, TickstreamError, type ErrorCode } from '../../src/domain/errors.js';
import { bearerToken, peerAddress } from '../../src/servers/grpc/caller.js';
import { ERROR_CODE_TRAILER, grpcStatusOf, toGrpcError } from '../../src/servers/grpc/status.js';
import { Metadata } from '@grpc/grpc-js';
import { wireGrpc } from '../../src/wiring/grpc.js';

describe('stable error codes as gRPC statuses', () => {
  it('maps by meaning: auth, missing, bad input, limits', () => {
    const expected: [ErrorCode, status][] = [
      ['AUTH_REQUIRED', status.UNAUTHENTICATED],
      ['INVALID_TOKEN', status.UNAUTHENTICATED],
      ['UNKNOWN_SYMBOL', status.NOT_FOUND],
      ['ALERT_NOT_FOUND', status.NOT_FOUND],
      ['INVALID_CONDITION', status.INVALID_ARGUMENT],
      ['INVALID_INTERVAL', status.INVALID_ARGUMENT],
      ['TOO_MANY_SYMBOLS', status.RESOURCE_EXHAUSTED],
      ['TOO_MANY_ALERTS', status.RESOURCE_EXHAUSTED],
      ['TOO_MANY_CONNECTIONS', status.RESOURCE_EXHAUSTED],
      ['TOO_MANY_CONNECTIONS_FROM_IP', status.RESOURCE_EXHAUSTED],
      ['RATE_LIMITED', status.RESOURCE_EXHAUSTED],
      ['SLOW_CONSUMER', status.RESOURCE_EXHAUSTED],
      ['NOT_READY', status.UNAVAILABLE],
      ['INTERNAL', status.INTERNAL],
    ];
    for (const [code, grpc] of expected) expect([code, grpcStatusOf(code)]).toEqual([code, grpc]);
  });

  it('every code has a status, and never OK', () => {
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) expect(grpcStatusOf(code)).toBeGreaterThan(0);
  });

  it('carries the code in the details and the trailer; unknown errors are INTERNAL without their text', () => {
    const { error } = toGrpcError(new TickstreamError('ALERT_NOT_FOUND'));
    expect(error.details).toBe('ALERT_NOT_FOUND: No such alert.');
    expect(error.metadata?.get(ERROR_CODE_TRAILER)).toEqual(['ALERT_NOT_FOUND']);
    const internal = toGrpcError(new Error('secret detail'));
    expect(internal.internal).toBe(true);
    expect(internal.error.code).toBe(status.INTERNAL);
    expect(internal.error.details).not.toContain('secret');
  });
});

describe('callers', () => {
  it('reads a bearer token from metadata: missing, malformed (empty string) or the token', () => {
    const metadata = (value?: string) => {
      const m = new Metadata();
      if (value !== undefined) m.set('authorization', value);
      return m;
    };
    expect(bearerToken(metadata())).toBeUndefined();
    expect(bearerToken(metadata('Basic abc'))).toBe('');
    expect(bearerToken(metadata('bearer abc.def'))).toBe('abc.def');
  });

  it('takes the port off a peer', () => {
    expect(peerAddress('127.0.0.1:5000')).toBe('127.0.0.1');
    expect(peerAddress('::ffff:127.0.0.1:5000')).toBe('::ffff:127.0.0.1');
  });
});

describe('GRPC_PORT', () => {
  const wire = (env: Record<string, string>, roles: RoleName[]) =>
    wireGrpc(loadConfig(env), (r) => roles.includes(r), {} as Parameters<typeof wireGrpc>[2]);

  it('is off when unset or 0, and in processes without the gateway or api role', () => {
    expect(wire({}, ['gateway', 'api'])).toBeUndefined();
    expect(wire({ GRPC_PORT: '0' }, ['gateway', 'api'])).toBeUndefined();
    expect(wire({ GRPC_PORT: '50051' }, ['processor', 'generator'])).toBeUndefined();
  });
});
