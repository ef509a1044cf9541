import { TokenBucket } from '../../domain/token-bucket.js';

/**
 * One token bucket per client address, shared by all of that address's sockets on this gateway.
 * The per-socket bucket alone lets an address multiply its allowance by opening more sockets
 * (1,000 sockets × 20 messages/s is 20,000 subscribes a second); this bounds the sum.
 *
 * An address's bucket lives while it holds a socket and is forgotten with its last one, so the map
 * stays as large as the set of connected addresses. A reconnect gets a full bucket again, which the
 * connection limiter (WS_CONNECT_RATE) already bounds.
 */
export class AddressBudget {
  private readonly addresses = new Map<string, { bucket: TokenBucket; sockets: number }>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
  ) {}

  opened(ip: string, now: number): void {
    const entry = this.addresses.get(ip);
    if (entry) entry.sockets++;
    else this.addresses.set(ip, { bucket: new TokenBucket(this.ratePerSecond, this.burst, now), sockets: 1 });
  }

  closed(ip: string): void {
    const entry = this.addresses.get(ip);
    if (!entry) return;
    if (--entry.sockets <= 0) this.addresses.delete(ip);
  }

  /** Takes one message from the address's budget; false when it is spent. */
  take(ip: string, now: number): boolean {
    return this.addresses.get(ip)?.bucket.take(now) ?? true;
  }

  /** Addresses tracked (for tests: the map must not outlive the sockets). */
  get size(): number {
    return this.addresses.size;
  }
}
