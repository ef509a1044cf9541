import { TokenBucket } from '../domain/token-bucket.js';

/** Messages dropped in a row past which a connection is silenced and closed (RATE_LIMITED). */
export const FLOOD_TOLERANCE = 100;

/** What to do with one client message. */
export type Admission =
  | { readonly verdict: 'accept' }
  /** Dropped; `reply` names the budget that ran out when a RATE_LIMITED reply is due (one a second at most). */
  | { readonly verdict: 'drop'; readonly reply: 'connection' | 'address' | undefined }
  /** Flooded past tolerance: nothing more is read; the connection is closed once its replies are out. */
  | { readonly verdict: 'silence' };

/**
 * A connection's message budget, WebSocket and Socket.IO alike: its own token bucket, the
 * address's (asked only when the connection's own allows), and how long it has been over them.
 * State only this class changes.
 */
export class MessageRate {
  private readonly bucket: TokenBucket;
  private violations = 0;
  private lastReply = 0;
  private silencedFlag = false;

  constructor(perSecond: number, burst: number, now: number) {
    this.bucket = new TokenBucket(perSecond, burst, now);
  }

  get silenced(): boolean {
    return this.silencedFlag;
  }

  admit(now: number, addressAllows: () => boolean): Admission {
    const own = this.bucket.take(now);
    if (own && addressAllows()) {
      this.violations = 0;
      return { verdict: 'accept' };
    }
    if (++this.violations > FLOOD_TOLERANCE) {
      this.silencedFlag = true;
      return { verdict: 'silence' };
    }
    // One reply per second at most, or the replies themselves become the flood.
    if (now - this.lastReply < 1000) return { verdict: 'drop', reply: undefined };
    this.lastReply = now;
    return { verdict: 'drop', reply: own ? 'address' : 'connection' };
  }
}
