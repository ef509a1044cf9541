/**
 * Group commit without a timer: items added in the same turn of the event loop, or while a batch
 * is being worked on, go together in the next batch. At low rates every item goes alone, a turn
 * later; under load batches grow by themselves to what arrived meanwhile, so a database call is
 * paid per batch, not per item — with no delay to tune. Waiting for the turn's end (setImmediate)
 * lets every request read in the same turn join the batch before the first one's work starts.
 *
 * `work` answers per item, in the order given. If a batch of several fails, each of its items is
 * tried again alone, so one item's failure (a constraint, a bad row) is that item's and the others
 * still succeed as if each had been worked on by itself.
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
        if (batch.length === 1) batch[0]!.reject(error);
        else for (const p of batch) await this.alone(p);
      }
    }
    this.busy = false;
  }

  private async alone(p: { item: I; resolve: (r: R) => void; reject: (e: unknown) => void }): Promise<void> {
    try {
      p.resolve((await this.work([p.item]))[0]!);
    } catch (error) {
      p.reject(error);
    }
  }
}
