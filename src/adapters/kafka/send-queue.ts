/**
 * Appends go out one produce request at a time, in call order; appends made while one is in flight
 * are coalesced into the next request (up to `maxWeight`, counted by `weigh`: log records, of which
 * a packed Kafka record holds many), and each caller's promise settles with the request that
 * carried its records.
 *
 * Why one at a time: @platformatic/kafka numbers idempotent batches when it builds a request and
 * advances the numbers when the answer comes. Two concurrent sends to one partition would carry the
 * same sequence numbers, and the broker would take the second for a retry of the first, answer
 * "success" and drop it. Serialising the sends keeps idempotence sound; coalescing keeps the
 * throughput (one round trip carries everything that queued up meanwhile).
 */
export class SendQueue<R> {
  private readonly groups: Group<R>[] = [];
  private running = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly send: (items: R[]) => Promise<void>,
    private readonly maxWeight: number,
    private readonly weigh: (item: R) => number = () => 1,
  ) {}

  /** Resolves when every item was sent; rejects with the send's error. An empty push resolves at once. */
  push(items: readonly R[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    let weight = 0;
    for (const item of items) weight += this.weigh(item);
    return new Promise<void>((resolve, reject) => {
      const last = this.groups.at(-1);
      // The group at the front is being sent once `running`; only a waiting group takes more items.
      const open = last && !(this.running && last === this.groups[0]) && last.weight + weight <= this.maxWeight;
      if (open) {
        last.items.push(...items);
        last.weight += weight;
        last.waiters.push({ resolve, reject });
      } else {
        this.groups.push({ items: [...items], weight, waiters: [{ resolve, reject }] });
      }
      void this.drain();
    });
  }

  /** Requests queued or in flight. */
  get pending(): number {
    return this.groups.length;
  }

  /** Resolves once nothing is queued or in flight. */
  idle(): Promise<void> {
    if (!this.running && this.groups.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.groups.length > 0) {
        const group = this.groups[0]!;
        try {
          await this.send(group.items);
          for (const w of group.waiters) w.resolve();
        } catch (error) {
          for (const w of group.waiters) w.reject(error);
        }
        this.groups.shift();
      }
    } finally {
      this.running = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}

interface Group<R> {
  readonly items: R[];
  weight: number;
  readonly waiters: { resolve: () => void; reject: (error: unknown) => void }[];
}
