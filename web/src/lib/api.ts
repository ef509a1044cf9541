import type { Candle, CandleInterval, Movers, Quote, Tick } from './types.js';

export type FetchLike = (input: string, init?: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal }) => Promise<{
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}>;

/** An error answer of the API: `{error:{code,message}}`, or the status when the body says nothing. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export async function readJson<T>(response: Awaited<ReturnType<FetchLike>>): Promise<T> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    throw new ApiError(
      response.status,
      typeof error?.code === 'string' ? error.code : `HTTP_${response.status}`,
      typeof error?.message === 'string' ? error.message : `The server answered ${response.status}.`,
    );
  }
  return body as T;
}

/** The market routes of /api/v1 the dashboard reads. */
export class MarketApi {
  constructor(
    private readonly fetch: FetchLike,
    private readonly base = '',
  ) {}

  private async get<T>(path: string): Promise<T> {
    return readJson<T>(await this.fetch(`${this.base}${path}`));
  }

  async symbols(): Promise<string[]> {
    return (await this.get<{ symbols: string[] }>('/api/v1/symbols')).symbols;
  }

  async quotes(): Promise<Quote[]> {
    return (await this.get<{ quotes: Quote[] }>('/api/v1/quotes')).quotes;
  }

  async candles(symbol: string, interval: CandleInterval, limit = 500): Promise<Candle[]> {
    return (await this.get<{ candles: Candle[] }>(`/api/v1/candles/${encodeURIComponent(symbol)}?interval=${interval}&limit=${limit}`)).candles;
  }

  /** Newest first. */
  async ticks(symbol: string, limit = 60): Promise<Tick[]> {
    return (await this.get<{ ticks: Tick[] }>(`/api/v1/ticks/${encodeURIComponent(symbol)}?limit=${limit}`)).ticks;
  }

  /** The day's movers from quotes, or over a window (`1m`, `5m`, `1h`, `day`) from the analytics role. */
  async movers(limit = 5, window?: string): Promise<Movers> {
    return this.get<Movers>(`/api/v1/movers?limit=${limit}${window === undefined ? '' : `&window=${encodeURIComponent(window)}`}`);
  }
}
