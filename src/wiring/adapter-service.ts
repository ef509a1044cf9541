import type { Service } from '../ports/lifecycle.js';

/** An adapter started and closed with the roles of a process, under a name for logs and errors. */
export function adapterService(name: string, adapter: { start(): Promise<void>; close(): Promise<void> }): Service {
  return { name, start: () => adapter.start(), stop: () => adapter.close() };
}
