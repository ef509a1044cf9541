import type { Alert } from '../alerts/alert.js';
import type { OrderView, PortfolioView } from '../orders/records.js';

/**
 * Messages for one user, published on `user.<id>` and written to every authenticated WebSocket of
 * that user (`userId` is for routing and is not sent): alerts that fired, orders whose status or
 * fills changed, and the portfolio's value (throttled per user by the orders role).
 */
export type UserEvent = AlertEvent | OrderEvent | PortfolioEvent;

export type OrderEvent = { readonly type: 'order'; readonly userId: number; readonly order: OrderView };
export type PortfolioEvent = { readonly type: 'portfolio'; readonly userId: number; readonly portfolio: PortfolioView };

export type AlertEvent = {
  readonly type: 'alert';
  readonly userId: number;
  readonly alert: Alert;
  /** Price and source time of the tick that fired the alert. */
  readonly price: number;
  readonly ts: number;
};

export const userChannel = (userId: number): string => `user.${userId}`;
