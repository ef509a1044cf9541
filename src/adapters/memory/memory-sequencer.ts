import type { SeqRequest, TickSequencer } from '../../ports/sequencer.js';

/** In-process counters: they live as long as the in-process log and store they number for. */
export class MemorySequencer implements TickSequencer {
  private readonly counters = new Map<string, number>();
  /** Highest producer seq per `source` NUL `symbol`. */
  private readonly producers = new Map<string, number>();

  async start(): Promise<void> {}
  async close(): Promise<void> {}
  async ping(): Promise<void> {}

  async assign(requests: readonly SeqRequest[]): Promise<number[]> {
    return requests.map(({ symbol, source, sourceSeq }) => {
      if (sourceSeq !== undefined) {
        const key = `${source}\u0000${symbol}`;
        if (sourceSeq <= (this.producers.get(key) ?? 0)) return 0;
        this.producers.set(key, sourceSeq);
      }
      const seq = (this.counters.get(symbol) ?? 0) + 1;
      this.counters.set(symbol, seq);
      return seq;
    });
  }

  async seed(latest: ReadonlyMap<string, number>): Promise<void> {
    for (const [symbol, seq] of latest) if (seq > (this.counters.get(symbol) ?? 0)) this.counters.set(symbol, seq);
  }
}
