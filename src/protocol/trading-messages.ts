import type { OrderView, PortfolioView } from '../domain/orders/records.js';

/** An order as the REST API and the `order` message carry it (prices in dollars). */
export type WireOrder = OrderView;
/** A portfolio as `GET /api/v1/portfolio` and the `portfolio` message carry it (amounts in dollars). */
export type WirePortfolio = PortfolioView;

/*
 * Not yet members of `ControlMessage`: the dashboard's socket (web/src/lib/socket.ts) still reads
 * `order` as a loose record; joining the union needs that one line changed with it.
 */

/** One of the authenticated user's orders changed status or filled (more). */
export interface OrderMessage {
  readonly type: 'order';
  readonly order: WireOrder;
}

/** The authenticated user's portfolio at the latest prices; at most one per PORTFOLIO_THROTTLE_MS. */
export interface PortfolioMessage {
  readonly type: 'portfolio';
  readonly portfolio: WirePortfolio;
}
