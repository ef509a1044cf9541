import { jwtVerify, SignJWT } from 'jose';
import type { AuthUser } from './account.js';
import { VerifiedTokens } from './verified-tokens.js';

const ISSUER = 'tickstream';
const ALGORITHM = 'HS256';

/**
 * Access tokens: HS256 JWTs with the user id as `sub` and the username as `name`, expiring after
 * the configured lifetime. Verification accepts HS256 only (no `none`, no algorithm confusion),
 * checks issuer and expiry, and answers undefined for anything else: callers need not tell a
 * forged token from an expired one. Verified tokens are remembered briefly (verified-tokens.ts),
 * their expiry still checked on every use.
 */
export class TokenService {
  private readonly key: Uint8Array;
  private readonly verified = new VerifiedTokens();

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
    const now = this.now();
    const known = this.verified.get(token, now);
    if (known) return known;
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: [ALGORITHM],
        issuer: ISSUER,
        requiredClaims: ['sub', 'exp'],
        currentDate: new Date(now),
      });
      const id = Number(payload.sub);
      if (!Number.isSafeInteger(id) || id < 1 || typeof payload.name !== 'string') return undefined;
      const user = { id, username: payload.name };
      if (payload.nbf === undefined) this.verified.remember(token, user, payload.exp!, now);
      return user;
    } catch {
      return undefined;
    }
  }
}
