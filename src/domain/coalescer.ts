/**
 * Group commit without a timer: items added in the same turn of the event loop, or while a batch
 * is being worked on, go together in the next batch. At low rates every item goes alone, a turn
 * later; under load batches grow by themselves to what arrived meanwhile, so a database call is
 * paid per batch, not per item — with no delay to tune. Waiting for the turn's end (setImmediate)
 * matters on the embedded database: its statements run on this thread, so without it a request's
 * whole transaction could finish before the next request, read in the same turn, is even parsed.
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
      if (!this.busy) {
        this.busy = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
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
