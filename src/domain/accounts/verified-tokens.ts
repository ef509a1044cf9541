import type { AuthUser } from './account.js';

/** How long a verified token is answered from memory before its signature is checked again. */
const HOLD_MS = 60_000;
/** Bound on remembered tokens, so many live tokens cannot grow the process without limit. */
const MAX_ENTRIES = 10_000;

interface Entry {
  readonly user: AuthUser;
  /** The token's own `exp` (seconds since the epoch), checked on every hit as jose checks it. */
  readonly exp: number;
  /** Wall-clock ms after which the entry is dropped and the token verified afresh. */
  readonly until: number;
}

/**
 * Tokens whose HS256 signature, issuer and claims were verified, by their exact text, so the
 * requests of one client do not each pay for an HMAC through WebCrypto (a tenth of the server's
 * CPU per paper order). Only time changes a verified token's answer (the key, issuer and claims
 * are fixed), so a hit still applies jose's expiry rule, `exp <= now` in whole seconds, with the
 * caller's clock; tokens carrying `nbf` are never remembered. Tokens are stateless (no
 * revocation list), so this answers exactly what a fresh verification would.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, Entry>();

  get(token: string, nowMs: number): AuthUser | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.exp <= Math.floor(nowMs / 1000) || nowMs >= entry.until) {
      this.entries.delete(token);
      return undefined;
    }
    return { ...entry.user };
  }

  remember(token: string, user: AuthUser, exp: number, nowMs: number): void {
    if (this.entries.size >= MAX_ENTRIES) {
      // The oldest insertion goes first (Map keeps insertion order).
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, { user: { ...user }, exp, until: nowMs + HOLD_MS });
  }
}
