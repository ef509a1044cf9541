import type { Money } from './money.js';

/** The paper-trading rules every account follows (PAPER_STARTING_CASH, PAPER_LOT_SIZE). */
export interface AccountRules {
  /** Cash a new account opens with, and a reset gives back. */
  readonly startingCash: Money;
  /** Shares per lot: a buy's quantity is a whole number of lots (1: any whole number of shares); a sell's is not bound, so odd lots stay closable. */
  readonly lotSize: number;
}
