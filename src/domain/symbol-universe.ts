import { isValidSymbol } from './symbol.js';

/** `SIMULATED_SYMBOL`: the simulator in this process numbers that symbol itself. */
export type Admission = 'ok' | 'UNKNOWN_SYMBOL' | 'SYMBOL_LIMIT' | 'SIMULATED_SYMBOL';

export interface UniverseRules {
  /** Only the initial symbols are traded (SYMBOLS set explicitly): nothing joins. */
  readonly closed: boolean;
  /** Most symbols the universe may hold; ingested symbols beyond it are refused. */
  readonly maxSymbols: number;
}

/**
 * The symbols traded here. It starts from configuration and grows as sources bring new symbols,
 * within its rules. `symbols` is a live set: the gateway and the REST routes hold it and see
 * symbols join without being told.
 */
export class SymbolUniverse {
  private readonly set: Set<string>;
  private readonly listeners: ((symbol: string) => void)[] = [];

  constructor(
    initial: Iterable<string>,
    private readonly rules: UniverseRules,
  ) {
    this.set = new Set(initial);
  }

  get symbols(): ReadonlySet<string> {
    return this.set;
  }

  /** Whether a source may trade `symbol`; adds it when it is new and admissible. */
  admit(symbol: string): Admission {
    if (this.set.has(symbol)) return 'ok';
    if (this.rules.closed || !isValidSymbol(symbol)) return 'UNKNOWN_SYMBOL';
    if (this.set.size >= this.rules.maxSymbols) return 'SYMBOL_LIMIT';
    this.set.add(symbol);
    for (const listener of this.listeners) listener(symbol);
    return 'ok';
  }

  /** Adds symbols other processes admitted (read back from the price store), within the same rules. */
  learn(symbols: Iterable<string>): void {
    for (const symbol of symbols) this.admit(symbol);
  }

  onAdded(listener: (symbol: string) => void): void {
    this.listeners.push(listener);
  }
}

/** Servers take either a fixed list or a live universe; a list becomes a set once. */
export function symbolSet(symbols: readonly string[] | ReadonlySet<string>): ReadonlySet<string> {
  return symbols instanceof Set ? symbols : new Set(symbols);
}
