/**
 * Reading @platformatic/kafka errors without depending on their classes: they nest (a retry wraps
 * every attempt's error in an AggregateError, a response holds one error per failed partition,
 * a network error holds the socket error as `cause`). Pure functions.
 */

interface ErrorLike {
  readonly message?: unknown;
  readonly errors?: unknown;
  readonly cause?: unknown;
  readonly apiId?: unknown;
  readonly path?: unknown;
}

const isObject = (value: unknown): value is ErrorLike => typeof value === 'object' && value !== null;

/** Every error in the tree, depth first, each once. */
export function flattenErrors(error: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  const seen = new Set<unknown>();
  const visit = (e: unknown, depth: number): void => {
    if (!isObject(e) || seen.has(e) || depth > 8) return;
    seen.add(e);
    out.push(e);
    if (Array.isArray(e.errors)) for (const inner of e.errors) visit(inner, depth + 1);
    visit(e.cause, depth + 1);
  };
  visit(error, 0);
  return out;
}

/** The Kafka protocol error ids (`OFFSET_OUT_OF_RANGE`, `TOPIC_ALREADY_EXISTS`, …) anywhere in the tree. */
export function protocolErrorIds(error: unknown): Set<string> {
  const ids = new Set<string>();
  for (const e of flattenErrors(error)) if (typeof e.apiId === 'string') ids.add(e.apiId);
  return ids;
}

export function hasProtocolError(error: unknown, id: string): boolean {
  return protocolErrorIds(error).has(id);
}

/**
 * One line saying why, for people: the distinct messages of the error tree, outermost first,
 * e.g. `metadata failed 2 times. ← Cannot connect to any broker. ← connect ECONNREFUSED 127.0.0.1:9092`.
 */
export function describeKafkaError(error: unknown): string {
  const messages: string[] = [];
  for (const e of flattenErrors(error)) {
    const message = typeof e.message === 'string' ? e.message.trim() : '';
    if (message && !messages.includes(message)) messages.push(message);
  }
  if (messages.length === 0) return String(error);
  return messages.slice(0, 6).join(' ← ');
}
