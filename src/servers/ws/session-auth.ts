import type { AuthUser } from '../../domain/accounts/account.js';

/**
 * Who a session is, and what waits for it to say so (WS_REQUIRE_AUTH): the URL's subscription
 * and the deadline. Written only through these methods, by Access (access.ts).
 */
export class SessionAuth {
  private current: AuthUser | undefined;
  private timer: NodeJS.Timeout | undefined;
  private deferred: string[] | undefined;

  /** Set once a token was verified; only then does the session get user events. */
  get user(): AuthUser | undefined {
    return this.current;
  }

  /** Keeps the URL's subscription until authentication, and calls `expired` if it does not come in `timeoutMs`. */
  await(initial: readonly string[], timeoutMs: number, expired: () => void): void {
    this.deferred = [...initial];
    this.timer = setTimeout(() => {
      if (this.current === undefined) expired();
    }, timeoutMs);
  }

  /** Records a verified user, ends the deadline; returns the user it replaces, if another one. */
  authenticated(user: AuthUser): AuthUser | undefined {
    const before = this.current;
    this.current = user;
    clearTimeout(this.timer);
    return before !== undefined && before.id !== user.id ? before : undefined;
  }

  /** The subscription that waited for authentication, handed out once. */
  takeDeferred(): string[] | undefined {
    const deferred = this.deferred;
    this.deferred = undefined;
    return deferred;
  }

  /** The session closed: no deadline left running. */
  end(): void {
    clearTimeout(this.timer);
  }
}
