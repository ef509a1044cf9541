/** One trade as an external feed reported it; `ts` in epoch milliseconds at the source. */
export interface SourceTrade {
  readonly symbol: string;
  readonly price: number;
  readonly size: number;
  readonly ts: number;
  /** The producer's own number, when the feed has one (duplicates are judged by it). */
  readonly sourceSeq?: number;
}
