/** A fixed-capacity FIFO that overwrites its oldest entry: O(1) push, no array shifting. */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  private head = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error('capacity must be a positive integer');
    this.items = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.size;
  }

  push(item: T): void {
    this.items[(this.head + this.size) % this.capacity] = item;
    if (this.size < this.capacity) this.size++;
    else this.head = (this.head + 1) % this.capacity;
  }

  private at(i: number): T {
    return this.items[(this.head + i) % this.capacity] as T;
  }

  oldest(): T | undefined {
    return this.size === 0 ? undefined : this.at(0);
  }

  /** Newest first. */
  newest(limit: number): T[] {
    const n = Math.min(limit, this.size);
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = this.at(this.size - 1 - i);
    return out;
  }

  /** The suffix of entries (oldest first) from the first one matching `predicate`, which must be monotonic. */
  after(predicate: (item: T) => boolean): T[] {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (predicate(this.at(mid))) hi = mid;
      else lo = mid + 1;
    }
    const out: T[] = [];
    for (let i = lo; i < this.size; i++) out.push(this.at(i));
    return out;
  }
}
