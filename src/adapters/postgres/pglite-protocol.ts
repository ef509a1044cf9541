/**
 * Messages between the main thread and the PGlite worker (pglite-worker.ts). Values cross by
 * structured clone, so rows keep their parsed types (Date, number, object, Uint8Array).
 */

/** What the worker is started with: PGlite's directory, or undefined for an in-memory database. */
export interface WorkerData {
  readonly dataDir: string | undefined;
}

export type ToWorker =
  | { readonly type: 'query'; readonly id: number; readonly sql: string; readonly params: readonly unknown[] }
  | { readonly type: 'close' };

export interface QueryRows {
  readonly rows: unknown[];
  readonly command: string | undefined;
  /** Rows changed by this statement (its command tag), and cumulated over the query. */
  readonly rowCount: number | undefined;
  readonly affectedRows: number | undefined;
}

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly error: ErrorFields }
  | { readonly type: 'result'; readonly id: number; readonly result: QueryRows }
  | { readonly type: 'error'; readonly id: number; readonly error: ErrorFields }
  | { readonly type: 'closed' };

/** An error's name, message and its own primitive fields: PostgreSQL's code, constraint, detail… */
export type ErrorFields = { readonly name: string; readonly message: string } & Readonly<Record<string, string | number | boolean | null>>;

/**
 * Structured clone keeps only an Error's message and stack, and callers of a query read
 * PostgreSQL's fields (`code` 23505, `constraint`, …): they are copied by name.
 */
export function errorFields(error: unknown): ErrorFields {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const fields: Record<string, string | number | boolean | null> = {};
  for (const [key, value] of Object.entries(error)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) fields[key] = value as string | number | boolean | null;
  }
  return { ...fields, name: error.name, message: error.message };
}

/** The error again on this side, with the fields it had there and this side's stack. */
export function fromFields(fields: ErrorFields): Error {
  const error = new Error(fields.message);
  Object.assign(error, fields);
  return error;
}
