/**
 * What a push connection (a WebSocket or Socket.IO session) keeps beside its subscriptions and
 * changes only through these methods: whether it is closing, whether it follows every symbol, and
 * since when it has been behind.
 */
export abstract class ConnectionState {
  private closingFlag = false;
  protected conflatingFrom = 0;

  constructor(private followingAll: boolean) {}

  /** True once the connection is closing or closed: nothing more is queued or handled for it. */
  get closing(): boolean {
    return this.closingFlag;
  }

  markClosing(): void {
    this.closingFlag = true;
  }

  /** Subscribed with `*` (or joined every symbol) and not narrowed since: symbols that join later are added too. */
  get followsAll(): boolean {
    return this.followingAll;
  }

  follow(all: boolean): void {
    this.followingAll = all;
  }

  /** When the client last fell behind (read while it is conflating). */
  get conflatingSince(): number {
    return this.conflatingFrom;
  }
}
