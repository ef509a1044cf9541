/** A role inside a process. `stop()` stops intake first, drains what is in flight, then releases. */
export interface Service {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A connection to an engine (or its in-process stand-in). Adapters own their connections. */
export interface Adapter {
  start(): Promise<void>;
  close(): Promise<void>;
  /** Resolves when the engine answers; rejects with the reason it does not. Used by `/ready`. */
  ping(): Promise<void>;
}
