import type { UserEvent } from '../domain/accounts/user-events.js';
import type { IndicatorSnapshotMessage, IndicatorsSubscribedMessage, IndicatorUpdateMessage } from './indicator-messages.js';
import type { WireTick, WireTickBatch } from './tick.js';

/** A user as the server names them (`authenticated`, REST `/api/v1/auth/me`). */
export interface WireUser {
  readonly id: string | number;
  readonly username: string;
}

export type AlertCondition = 'above' | 'below' | 'crosses_above' | 'crosses_below' | 'pct_move';

export const ALERT_CONDITIONS: readonly AlertCondition[] = ['above', 'below', 'crosses_above', 'crosses_below', 'pct_move'];

/** An alert as the API and the `alert` message carry it. */
export interface WireAlert {
  readonly id: string | number;
  readonly symbol: string;
  readonly condition: AlertCondition;
  readonly threshold: number;
  readonly mode: 'once' | 'rearm';
  readonly cooldownSeconds: number;
  readonly note: string | null;
  readonly status: 'active' | 'triggered' | 'disabled';
  readonly createdAt: string;
  readonly triggeredAt: string | null;
  readonly triggeredPrice: number | null;
}

/** `id` echoes the client message a control message answers, when it had one. */
interface Reply {
  readonly id?: unknown;
}

/**
 * The full subscription set and the stream epoch its `seq`s belong to; `recovered` only after a
 * subscribe with `since` (false: a fresh snapshot follows instead of the missed ticks).
 */
export interface SubscribedMessage extends Reply {
  readonly type: 'subscribed';
  readonly symbols: string[];
  readonly epoch: string;
  readonly recovered?: Record<string, boolean>;
}

export interface ErrorMessage extends Reply {
  readonly type: 'error';
  readonly code: string;
  readonly message: string;
  /** The symbols the error is about (UNKNOWN_SYMBOL: the ones left out of a subscription). */
  readonly symbols?: readonly string[];
}

export interface PongMessage extends Reply {
  readonly type: 'pong';
  readonly ts: number;
}

export interface AuthenticatedMessage extends Reply {
  readonly type: 'authenticated';
  readonly user: WireUser;
}

/** An alert of the authenticated user fired; `price` and `ts` are of the tick that fired it. */
export interface AlertMessage {
  readonly type: 'alert';
  readonly alert: WireAlert;
  readonly price: number;
  readonly ts: number;
}

/** Server → client messages other than ticks. New message types join this union. */
export type ControlMessage =
  | SubscribedMessage
  | ErrorMessage
  | PongMessage
  | AuthenticatedMessage
  | AlertMessage
  | IndicatorsSubscribedMessage
  | IndicatorSnapshotMessage
  | IndicatorUpdateMessage;

export type ServerMessage = WireTick | WireTickBatch | ControlMessage;

const withId = <T extends object>(message: T, id: unknown): T => (id === undefined ? message : { ...message, id });

export const subscribedMessage = (symbols: string[], epoch: string, recovered: Record<string, boolean> | undefined, id?: unknown): SubscribedMessage =>
  withId({ type: 'subscribed', symbols, epoch, ...(recovered === undefined ? {} : { recovered }) }, id);

export const errorMessage = (code: string, message: string, id?: unknown, symbols?: readonly string[]): ErrorMessage =>
  withId({ type: 'error', code, message, ...(symbols === undefined ? {} : { symbols }) }, id);

export const pongMessage = (ts: number, id?: unknown): PongMessage => withId({ type: 'pong', ts }, id);

export const authenticatedMessage = (user: WireUser, id?: unknown): AuthenticatedMessage =>
  withId({ type: 'authenticated', user: { id: user.id, username: user.username } }, id);

/**
 * Reads one frame from the server; undefined for anything that is not a JSON object with a string
 * `type` (a client ignores what it does not understand, so newer servers can add message types).
 */
export function decodeServerMessage(text: string): ServerMessage | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  if (typeof (data as { type?: unknown }).type !== 'string') return undefined;
  return data as ServerMessage;
}

/** The ticks a frame carries: one, a batch's, or none for a control message. */
export function ticksOf(message: ServerMessage): readonly WireTick[] {
  if (message.type === 'tick') return [message];
  if (message.type === 'ticks') return Array.isArray(message.data) ? message.data : [];
  return [];
}

/** The frame for a user's event (an alert, an order, a portfolio): everything but the routing `userId`. */
export function encodeUserEvent(event: UserEvent): string {
  const { userId: _userId, ...rest } = event;
  return JSON.stringify(rest);
}
