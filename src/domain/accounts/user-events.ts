import type { Alert } from '../alerts/alert.js';

/**
 * Messages for one user, published on `user.<id>` and written to every authenticated WebSocket of
 * that user (`userId` is for routing and is not sent). Order fills will join this union.
 */
export type UserEvent = {
  readonly type: 'alert';
  readonly userId: number;
  readonly alert: Alert;
  /** Price and source time of the tick that fired the alert. */
  readonly price: number;
  readonly ts: number;
};

export const userChannel = (userId: number): string => `user.${userId}`;
