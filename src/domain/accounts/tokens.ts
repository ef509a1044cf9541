import { jwtVerify, SignJWT } from 'jose';
import type { AuthUser } from './account.js';

const ISSUER = 'tickstream';
const ALGORITHM = 'HS256';

/**
 * Access tokens: HS256 JWTs with the user id as `sub` and the username as `name`, expiring after
 * the configured lifetime. Verification accepts HS256 only (no `none`, no algorithm confusion),
 * checks issuer and expiry, and answers undefined for anything else: callers need not tell a
 * forged token from an expired one.
 */
export class TokenService {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async issue(user: AuthUser): Promise<{ token: string; expiresAt: string }> {
    const issuedAt = Math.floor(this.now() / 1000);
    const expires = issuedAt + this.ttlSeconds;
    const token = await new SignJWT({ name: user.username })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setSubject(String(user.id))
      .setIssuer(ISSUER)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expires)
      .sign(this.key);
    return { token, expiresAt: new Date(expires * 1000).toISOString() };
  }

  async verify(token: string): Promise<AuthUser | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: [ALGORITHM],
        issuer: ISSUER,
        requiredClaims: ['sub', 'exp'],
        currentDate: new Date(this.now()),
      });
      const id = Number(payload.sub);
      if (!Number.isSafeInteger(id) || id < 1 || typeof payload.name !== 'string') return undefined;
      return { id, username: payload.name };
    } catch {
      return undefined;
    }
  }
}
