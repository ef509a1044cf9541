import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/** The three budgets of the auth routes, each a rate-limiter-flexible limiter (memory or Redis). */
export interface AuthLimiters {
  /** Login attempts per client address, whatever the username (password spraying). */
  readonly loginPerAddress: RateLimiterAbstract;
  /** Login attempts per username, whatever the address (one account guessed from many). */
  readonly loginPerAccount: RateLimiterAbstract;
  /** Registrations per client address. */
  readonly registerPerAddress: RateLimiterAbstract;
}

/** Why a request was refused and how long to wait, for `Retry-After`. */
export interface Refusal {
  readonly budget: 'address' | 'account';
  readonly retryAfterSeconds: number;
}

/**
 * Rate limits on logins and registrations, beside the per (username, address) lockout of
 * LoginThrottle. An attempt is counted before the password is checked, so parallel guesses are
 * counted too; a successful login gives its attempt back, so people who log in often (many users
 * behind one address) are not counted, only failures are.
 *
 * If the store fails (Redis down and no insurance limiter left), the attempt is let through: the
 * limits protect against abuse, and an outage of Redis must not lock everyone out.
 */
export class AuthLimits {
  constructor(
    private readonly limiters: AuthLimiters,
    private readonly onStoreError: (error: unknown) => void = () => undefined,
  ) {}

  async login(address: string, username: string): Promise<Refusal | undefined> {
    return (
      (await this.spend(this.limiters.loginPerAddress, address, 'address')) ??
      (await this.spend(this.limiters.loginPerAccount, username, 'account'))
    );
  }

  async loginSucceeded(address: string, username: string): Promise<void> {
    await Promise.all([this.limiters.loginPerAddress.reward(address, 1), this.limiters.loginPerAccount.reward(username, 1)]).catch(this.onStoreError);
  }

  register(address: string): Promise<Refusal | undefined> {
    return this.spend(this.limiters.registerPerAddress, address, 'address');
  }

  private async spend(limiter: RateLimiterAbstract, key: string, budget: Refusal['budget']): Promise<Refusal | undefined> {
    try {
      await limiter.consume(key, 1);
      return undefined;
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) return { budget, retryAfterSeconds: Math.max(1, Math.ceil(outcome.msBeforeNext / 1000)) };
      this.onStoreError(outcome);
      return undefined;
    }
  }
}
