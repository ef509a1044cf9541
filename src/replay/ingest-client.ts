import { backoffDelay, doubling } from '../domain/backoff.js';
import type { SourceTrade } from '../ports/ingest-source.js';

export interface IngestAnswer {
  readonly accepted: number;
  readonly duplicate: number;
  readonly rejected: readonly { readonly index: number; readonly code: string; readonly message: string }[];
}

/** The server said no for good: a missing or wrong key, or no ingest API. Retrying will not help. */
export class IngestRefused extends Error {}

const RETRIES = 5;
/** 200 ms, 400 ms, … 3.2 s: a restarting server has a few seconds to come back. */
const RETRY_BACKOFF = doubling(200, Infinity);

/**
 * Posts batches to a tickstream server's `POST /api/v1/ticks`. A server that is busy or briefly
 * away (503, connection refused) is retried a few times with growing waits; then it gives up.
 * The ticks go without `source`, so they carry the key's name.
 */
export class IngestClient {
  private readonly url: string;

  constructor(
    base: string,
    private readonly key: string,
  ) {
    this.url = new URL('/api/v1/ticks', base).toString();
  }

  async post(trades: readonly SourceTrade[]): Promise<IngestAnswer> {
    const body = JSON.stringify(trades.map((t) => ({ symbol: t.symbol, price: t.price, size: t.size, ts: t.ts })));
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(this.url, { method: 'POST', headers: { authorization: `Bearer ${this.key}`, 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(30_000) });
      } catch (error) {
        // Only a refused connection surely sent nothing: anything else may have been appended, and
        // these ticks carry no producer seq that would make a second post harmless.
        const cause = (error as Error).cause as NodeJS.ErrnoException | undefined;
        if (attempt >= RETRIES || cause?.code !== 'ECONNREFUSED') throw new Error(`cannot reach ${this.url}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, RETRY_BACKOFF)));
        continue;
      }
      const text = await response.text();
      if (response.ok) return JSON.parse(text) as IngestAnswer;
      let reason = text.slice(0, 300);
      try {
        const error = (JSON.parse(text) as { error?: { code: string; message: string } }).error;
        if (error) reason = `${error.code}: ${error.message}`;
      } catch {
        // not JSON: the text itself is the best reason there is
      }
      if (response.status === 503 && attempt < RETRIES) {
        await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, RETRY_BACKOFF)));
        continue;
      }
      if ([401, 403, 404, 501].includes(response.status)) throw new IngestRefused(`${this.url} refused the ticks (HTTP ${response.status} ${reason})`);
      throw new Error(`${this.url} answered HTTP ${response.status} ${reason}`);
    }
  }
}
