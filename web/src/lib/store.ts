import { Listeners } from './frame.js';

/** A small observable state object for React's useSyncExternalStore; `set` replaces, never mutates. */
export class Store<T extends object> {
  private readonly listeners = new Listeners();

  constructor(private state: T) {}

  readonly subscribe = this.listeners.subscribe;

  readonly get = (): T => this.state;

  set(patch: Partial<T> | ((state: T) => Partial<T>)): void {
    const next = typeof patch === 'function' ? patch(this.state) : patch;
    this.state = { ...this.state, ...next };
    this.listeners.notify();
  }
}
