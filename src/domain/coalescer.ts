/**
 * Group commit without a timer: items added while a batch is being worked on wait, and go
 * together in the next one as soon as it finishes. At low rates every item goes alone, at once;
 * under load batches grow by themselves to what arrived during one round trip, so a slow database
 * call is paid per batch, not per item — with no added delay to tune.
 *
 * `work` answers per item, in the order given; if it throws, every item of that batch gets the error.
 */
export class Coalescer<I, R> {
  private pending: { item: I; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private busy = false;

  constructor(
    private readonly work: (items: readonly I[]) => Promise<readonly R[]>,
    private readonly maxBatch = 1_000,
  ) {}

  add(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.busy) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.busy = true;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      try {
        const results = await this.work(batch.map((p) => p.item));
        batch.forEach((p, i) => p.resolve(results[i]!));
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    this.busy = false;
  }
}
