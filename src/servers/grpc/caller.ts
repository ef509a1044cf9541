import type { Metadata } from '@grpc/grpc-js';
import type { AuthUser } from '../../domain/accounts/account.js';
import type { TokenService } from '../../domain/accounts/tokens.js';
import { TickstreamError } from '../../domain/errors.js';

/** The bearer token of a call's `authorization` metadata, as REST reads the header. */
export function bearerToken(metadata: Metadata): string | undefined {
  const value = metadata.get('authorization')[0];
  const header = typeof value === 'string' ? value : value?.toString('utf8');
  if (header === undefined || header === '') return undefined;
  const match = /^Bearer +([A-Za-z0-9._~+/=-]+)$/i.exec(header);
  // A header that is there but not a bearer token is a bad token, not a missing one.
  return match ? match[1]! : '';
}

/**
 * The caller of a per-user method: the user comes from the token and from nowhere else (no user id
 * in any request). Throws AUTH_REQUIRED without a token and INVALID_TOKEN for a bad or expired one.
 */
export async function callerOf(metadata: Metadata, tokens: TokenService): Promise<AuthUser> {
  const token = bearerToken(metadata);
  if (token === undefined) throw new TickstreamError('AUTH_REQUIRED', 'A bearer token is required (`authorization: Bearer …` metadata).');
  const user = token === '' ? undefined : await tokens.verify(token);
  if (!user) throw new TickstreamError('INVALID_TOKEN');
  return user;
}

/** The peer's address without the port (grpc-js names a peer `address:port`), for per-address limits. */
export function peerAddress(peer: string): string {
  return peer.replace(/:\d+$/, '');
}
