import { userChannel, type UserEvent } from '../../domain/accounts/user-events.js';
import { encodeUserEvent } from '../../protocol/index.js';
import type { PubSub, Unsubscribe } from '../../ports/pubsub.js';
import type { Session } from './session.js';

/**
 * The gateway's upstream subscriptions to `user.<id>`: one per user however many of their sockets
 * are open here (reference-counted like symbol feeds), released with the last one. Each event is
 * encoded once and queued on every authenticated socket of that user, and on no other.
 */
export class UserFeeds {
  private readonly feeds = new Map<number, { sessions: Set<Session>; ready: Promise<Unsubscribe | undefined> }>();

  constructor(
    private readonly pubsub: PubSub<UserEvent>,
    private readonly deliver: (sessions: ReadonlySet<Session>, frame: Buffer) => void,
    private readonly failed: (error: unknown) => void,
  ) {}

  /** Resolves once the upstream subscription is confirmed: events after that reach the session. */
  async join(session: Session, userId: number): Promise<void> {
    let feed = this.feeds.get(userId);
    if (!feed) {
      const sessions = new Set<Session>();
      const ready = this.pubsub
        .subscribe(userChannel(userId), (event) => {
          if (event.userId === userId && sessions.size > 0) this.deliver(sessions, Buffer.from(encodeUserEvent(event)));
        })
        .catch((error: unknown) => {
          this.failed(error);
          return undefined;
        });
      feed = { sessions, ready };
      this.feeds.set(userId, feed);
    }
    feed.sessions.add(session);
    await feed.ready;
  }

  leave(session: Session, userId: number): void {
    const feed = this.feeds.get(userId);
    if (!feed || !feed.sessions.delete(session) || feed.sessions.size > 0) return;
    this.feeds.delete(userId);
    void feed.ready.then((unsubscribe) => unsubscribe?.()).catch((error: unknown) => this.failed(error));
  }
}
