/**
 * One client's requests, handled one at a time in the order they came, whatever each waits on: a
 * reply about message 3 never overtakes the reply to message 2 while that one reads the store.
 */
export class SerialWork {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `step` once the steps queued before it have settled; its outcome is the caller's, and a failure does not stop the steps after it. */
  run<T>(step: () => T | Promise<T>): Promise<T> {
    const result = this.tail.then(step);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
