/**
 * The MAXLEN of a partition's next XADD: how many of the stream's newest entries must stay for at
 * least `retention` records to stay, now that entries hold from 1 to MAX_RECORDS_PER_ENTRY
 * records. Dividing retention by the size of the entry being added is not enough: after a run
 * of small entries, one large one would trim the stream down to a few entries holding far fewer
 * records. So the writer remembers the sizes of the entries it appended, newest last, just enough
 * of them to add up to `retention`, and counts every older entry — written before it started, or
 * by a version that did not pack — as holding a single record.
 *
 * This assumes the newest entries of the partition are the writer's own, that is, one producer
 * appends to a partition at a time (tickstream's generator). Entries of a concurrent producer in
 * between hold records this count does not see, so the stream may then keep fewer than
 * `retention` records.
 */
export class RetentionWindow {
  /** Sizes of this writer's newest entries; those before `oldest` are no longer needed. */
  private sizes: number[] = [];
  private oldest = 0;
  private records = 0;

  constructor(private readonly retention: number) {}

  /** Notes an entry of `size` records about to be appended; returns the MAXLEN to append it with. */
  add(size: number): number {
    this.sizes.push(size);
    this.records += size;
    while (this.records - this.sizes[this.oldest]! >= this.retention) this.records -= this.sizes[this.oldest++]!;
    // Dropping the forgotten front now and then keeps the array from growing for ever.
    if (this.oldest > 1_024 && this.oldest * 2 > this.sizes.length) {
      this.sizes = this.sizes.slice(this.oldest);
      this.oldest = 0;
    }
    return this.sizes.length - this.oldest + Math.max(0, this.retention - this.records);
  }

  /**
   * After an append that failed: its entries may or may not be in the stream, so what the window
   * knows about the newest entries is no longer sure, and it starts over from nothing.
   */
  forget(): void {
    this.sizes = [];
    this.oldest = 0;
    this.records = 0;
  }
}
