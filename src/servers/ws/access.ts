import type { UserEvent } from '../../domain/accounts/user-events.js';
import type { TokenService } from '../../domain/accounts/tokens.js';
import { authenticatedMessage, CLOSE_CODES, ERROR_CODES, type ClientMessage, type ErrorCode } from '../../protocol/index.js';
import type { Metrics } from '../../observability/metrics.js';
import type { PubSub } from '../../ports/pubsub.js';
import type { Session } from './session.js';
import { UserFeeds } from './user-feeds.js';

/** Accounts on the gateway: present when tokens can be verified here. */
export interface GatewayAuth {
  readonly tokens: TokenService;
  /** WS_REQUIRE_AUTH: no ticks before authenticating, and a deadline to do it. */
  readonly required: boolean;
  readonly timeoutMs: number;
  readonly userEvents: PubSub<UserEvent>;
}

/** What Access needs from the gateway. */
export interface AccessHost {
  error(session: Session, code: ErrorCode, message: string, id?: unknown): void;
  /** Flushes what is queued for the session, then closes it with the code and reason. */
  close(session: Session, code: number, reason: ErrorCode): void;
  /** Subscribes without a reply (the URL's subscription). */
  subscribe(session: Session, symbols: readonly string[]): Promise<void>;
  touch(session: Session): void;
}

/**
 * Who a WebSocket is: a token in the upgrade URL (`?token=`) or an `auth` message. A valid token
 * joins the socket to its user's feed (`user.<id>`); a bad or expired one is answered with
 * INVALID_TOKEN and the socket is closed with 4003. With `required`, a socket gets nothing but
 * `auth` and `ping` served until it authenticates, and is closed with 4001 AUTH_TIMEOUT if it does
 * not within `timeoutMs`; its URL subscription waits for the authentication.
 */
export class Access {
  readonly feeds: UserFeeds | undefined;

  constructor(
    private readonly auth: GatewayAuth | undefined,
    private readonly host: AccessHost,
    private readonly metrics: Metrics,
    onFeedError: (error: unknown) => void,
  ) {
    this.feeds = auth
      ? new UserFeeds(
          auth.userEvents,
          (sessions, frame) => {
            for (const session of sessions) {
              session.event(frame);
              host.touch(session);
            }
            metrics.alertsDelivered.inc(sessions.size);
          },
          onFeedError,
        )
      : undefined;
  }

  /**
   * A socket opened, with or without a URL token (verified by the caller through `authenticate`).
   * Returns whether its URL subscription may start now.
   */
  opened(session: Session, hasToken: boolean, initial: readonly string[]): boolean {
    if (!this.auth?.required || hasToken) return true;
    session.auth.await(initial, this.auth.timeoutMs, () => {
      if (session.closing) return;
      this.metrics.wsConnectionsRejected.inc({ code: 'AUTH_TIMEOUT' });
      this.host.close(session, CLOSE_CODES.AUTH_TIMEOUT, 'AUTH_TIMEOUT');
    });
    return false;
  }

  /** Until a required authentication succeeds, only `auth` and `ping` are served. */
  allows(session: Session, action: ClientMessage['action']): boolean {
    return !this.auth?.required || session.auth.user !== undefined || action === 'auth' || action === 'ping';
  }

  async authenticate(session: Session, token: string, reply: boolean, id: unknown): Promise<void> {
    if (!this.auth || !this.feeds) return this.host.error(session, 'AUTH_NOT_AVAILABLE', ERROR_CODES.AUTH_NOT_AVAILABLE.text, id);
    const user = await this.auth.tokens.verify(token);
    if (session.closing) return;
    if (!user) {
      this.metrics.wsConnectionsRejected.inc({ code: 'INVALID_TOKEN' });
      this.host.error(session, 'INVALID_TOKEN', ERROR_CODES.INVALID_TOKEN.text, id);
      return this.host.close(session, CLOSE_CODES.INVALID_TOKEN, 'INVALID_TOKEN');
    }
    const replaced = session.auth.authenticated(user);
    if (replaced) this.feeds.leave(session, replaced.id);
    await this.feeds.join(session, user.id);
    if (session.closing) return this.feeds.leave(session, user.id);
    if (reply) {
      session.control(authenticatedMessage(user, id));
      this.host.touch(session);
    }
    const deferred = session.auth.takeDeferred();
    if (deferred && deferred.length > 0) await this.host.subscribe(session, deferred);
  }

  closed(session: Session): void {
    session.auth.end();
    const user = session.auth.user;
    if (user) this.feeds?.leave(session, user.id);
  }
}
