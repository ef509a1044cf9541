import type { FillView, OrderInput, WireOrder, WirePortfolio } from '../../../src/protocol/index.js';
import { readJson, type FetchLike } from './api.js';

export type { WireOrder, WirePortfolio };
export type WireFill = FillView;

/**
 * The paper-trading routes of /api/v1 (README "Paper trading"): orders, fills and the portfolio of
 * the token's user. Errors are `ApiError`s carrying the server's stable code and message.
 */
export class TradingApi {
  constructor(
    private readonly fetch: FetchLike,
    private readonly base = '',
  ) {}

  /**
   * Whether the server trades: its OpenAPI document lists the portfolio route (a server without
   * accounts, or one whose accounts stand in for tests, does not). true when it cannot tell.
   */
  async available(): Promise<boolean> {
    try {
      const response = await this.fetch(`${this.base}/docs/json`);
      if (!response.ok) return true;
      const doc = (await response.json()) as { paths?: Record<string, unknown> };
      return Object.keys(doc.paths ?? {}).includes('/api/v1/portfolio');
    } catch {
      return true;
    }
  }

  /** `idempotencyKey` makes a retried submission (a double click, a lost answer) the same order. */
  async submit(token: string, order: OrderInput, idempotencyKey: string): Promise<WireOrder> {
    return this.call<WireOrder>(token, 'POST', '/api/v1/orders', order, { 'idempotency-key': idempotencyKey });
  }

  /** Open orders (new, accepted, partially filled), newest first. */
  async openOrders(token: string, limit = 200): Promise<WireOrder[]> {
    return (await this.call<{ orders: WireOrder[] }>(token, 'GET', `/api/v1/orders?status=open&limit=${limit}`)).orders;
  }

  async cancel(token: string, id: number): Promise<WireOrder> {
    return this.call<WireOrder>(token, 'DELETE', `/api/v1/orders/${encodeURIComponent(String(id))}`);
  }

  /** Newest first. */
  async fills(token: string, limit = 50): Promise<WireFill[]> {
    return (await this.call<{ fills: WireFill[] }>(token, 'GET', `/api/v1/fills?limit=${limit}`)).fills;
  }

  async portfolio(token: string): Promise<WirePortfolio> {
    return this.call<WirePortfolio>(token, 'GET', '/api/v1/portfolio');
  }

  /** Starting cash again; every position, order and fill of the account is gone. */
  async reset(token: string): Promise<WirePortfolio> {
    return this.call<WirePortfolio>(token, 'POST', '/api/v1/portfolio/reset');
  }

  private async call<T>(token: string, method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...extra };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return readJson<T>(await this.fetch(`${this.base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }));
  }
}
