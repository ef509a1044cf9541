import type { Adapter } from '../ports/lifecycle.js';

/** How long one engine may take to answer a readiness ping. */
const READY_TIMEOUT_MS = 2_000;

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

/**
 * Pings every engine a process uses, at once: `ok` or the reason per engine. What `/ready` answers
 * and what gRPC health checking reports, so both say the same.
 */
export async function readiness(adapters: Readonly<Record<string, Adapter>>): Promise<{ ready: boolean; checks: Record<string, string> }> {
  const checks: Record<string, string> = {};
  await Promise.all(
    Object.entries(adapters).map(async ([name, adapter]) => {
      try {
        await withTimeout(adapter.ping(), READY_TIMEOUT_MS);
        checks[name] = 'ok';
      } catch (error) {
        checks[name] = error instanceof Error ? error.message : String(error);
      }
    }),
  );
  return { ready: Object.values(checks).every((c) => c === 'ok'), checks };
}
