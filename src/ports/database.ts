import type { UserRecord } from '../domain/accounts/account.js';
import type { Alert, AlertPatch, AlertRule, AlertStatus, NewAlert } from '../domain/alerts/alert.js';
import type { PricePoint } from '../domain/alerts/rules.js';
import type { DayActivity } from '../domain/orders/day-pnl.js';
import type { BatchOutcome, LockedLedger } from '../domain/orders/fill-batch.js';
import type { Money } from '../domain/orders/money.js';
import type { OrderRequest, OrderStatus } from '../domain/orders/order.js';
import type { FillRecord, OrderRecord } from '../domain/orders/records.js';
import type { Position } from '../domain/orders/portfolio.js';
import type { Adapter } from './lifecycle.js';

/**
 * Database — accounts, alerts and the paper trading ledger, on embedded PGlite or on PostgreSQL, with one SQL schema and one
 * query layer (kysely) for both.
 *
 * Guarantees (checked by test/contracts/database on both engines):
 * - **Migrations.** `start()` applies the versioned migrations this build knows, in order, each in
 *   its own transaction and recorded in `schema_migrations`, so each is applied exactly once even
 *   when several processes start together (they serialise on an advisory lock). Starting again
 *   applies nothing. A database migrated by a newer build, or whose recorded history differs from
 *   this build's, is refused at start rather than used.
 * - **Transactions.** `transaction(fn)` commits what `fn` wrote if it resolves and rolls all of it
 *   back if it throws. Every single method below is atomic on its own.
 * - **Ownership.** Alert and order reads and writes that take a `userId` only see that user's
 *   alerts, orders and fills: another user's id behaves exactly like an id that does not exist.
 * - **Usernames** are unique case-insensitively.
 * - **Exactly-once fire.** `alerts.fire` is a conditional update: it changes the alert and records
 *   the event only if the alert is active, armed, unchanged since it was read, past its cooldown,
 *   and the tick's `seq` is newer than the one that fired it last. Concurrent or repeated calls for the same tick (redelivery, a
 *   replayed log, two alert processes) change the row once; the others get undefined. `alerts.arm`
 *   is conditional the same way. `fireAll` and `armAll` apply the same guards to each alert of a
 *   batch in one statement, so a busy alerts role pays one round trip per batch, not per fire.
 * - **Paper trading ledger.** Money columns are integers of 1/10,000 USD. `orders.submit` checks
 *   buying power (cash minus what open buys hold back) or holdings (shares not already promised to
 *   open sells) and inserts the order under the owner's submission lock, so concurrent
 *   submissions cannot spend the same cash twice; an Idempotency-Key already used by the owner
 *   returns the order it created, or IDEMPOTENCY_KEY_REUSED when this request differs. A fill is unique per (order, tick seq): `orders.recordBatch`
 *   of a fill already recorded writes nothing and throws, so a tick delivered twice, replayed, or
 *   seen by two orders processes fills once. Orders, fills, positions and cash change in the
 *   caller's transaction, one per batch of ticks (`lockLedger`, `decideBatch`, `recordBatch`).
 *   Submissions do not wait for fill batches (a fill within its order's reservation only raises
 *   buying power); a batch that would lower it takes the owners' submission locks too
 *   (`lockFunds`) and decides again on the reservations it then reads, so a fill never spends cash
 *   a concurrent submission held back (see services/fill-decision.ts).
 * - **Change feed.** Every write to an alert moves its `revision` up and its `updated_at` to the
 *   writing transaction's time; deletions leave a tombstone for an hour. `alerts.changes(since)`
 *   returns what changed at or after `since`, so a poller that overlaps its windows misses nothing.
 */
export interface Database extends Adapter, Repositories {
  readonly engine: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction; the repositories it gets are bound to it. */
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T>;
  /** Versions recorded in `schema_migrations`, oldest first. */
  appliedMigrations(): Promise<{ version: number; name: string }[]>;
}

export interface Repositories {
  readonly accounts: AccountRepository;
  readonly alerts: AlertRepository;
  readonly orders: OrderRepository;
}

export interface AccountRepository {
  /** Undefined when the username (case-insensitively) is taken. */
  create(username: string, passwordHash: string): Promise<UserRecord | undefined>;
  findByUsername(username: string): Promise<UserRecord | undefined>;
  findById(id: number): Promise<UserRecord | undefined>;
  /**
   * Replaces the stored password hash if it is still `current` (a compare-and-set, so a rehash
   * at login never overwrites a change made meanwhile). True when it was replaced.
   */
  replacePasswordHash(id: number, current: string, next: string): Promise<boolean>;
}

/** An alert with the fields only the server sees. */
/** One alert and the tick that would fire or arm it. */
export interface AlertAttempt {
  readonly rule: AlertRule;
  readonly tick: PricePoint;
}

export interface OwnedAlert {
  readonly userId: number;
  readonly alert: Alert;
  readonly rule: AlertRule;
}

export interface AlertEvent {
  readonly seq: number;
  readonly price: number;
  readonly ts: string;
  readonly firedAt: string;
}

export interface AlertChanges {
  readonly changed: AlertRule[];
  readonly deleted: number[];
  /** The database's clock when the read ran: the next poll's `since` (minus an overlap). */
  readonly now: Date;
}

export interface AlertRepository {
  /** Undefined when the user already has `maxPerUser` alerts (a soft cap under concurrency). */
  create(userId: number, input: NewAlert, maxPerUser: number): Promise<OwnedAlert | undefined>;
  get(userId: number, id: number): Promise<OwnedAlert | undefined>;
  /** Oldest first. */
  list(userId: number, status?: AlertStatus): Promise<Alert[]>;
  /**
   * Applies the patch; a changed threshold, mode or re-activation resets the arming as for a new
   * alert. The seq guard is kept, so ticks older than the last fire still cannot fire it.
   */
  update(userId: number, id: number, patch: AlertPatch): Promise<OwnedAlert | undefined>;
  delete(userId: number, id: number): Promise<boolean>;
  /** Newest first, at most `limit`; undefined when the alert is not this user's. */
  events(userId: number, id: number, limit: number): Promise<AlertEvent[] | undefined>;

  /** Every active alert (the alerts role's index at start), with the database's clock. */
  activeRules(): Promise<{ rules: AlertRule[]; now: Date }>;
  /** Any alert's evaluation state (active or not), by id, for re-reading after a refused write. */
  rule(id: number): Promise<AlertRule | undefined>;
  changes(since: Date): Promise<AlertChanges>;
  /**
   * See "Exactly-once fire" above; also refused when the row's revision is no longer
   * `rule.revision` (someone changed the alert since it was read: re-read and decide again).
   * Records the event in `alert_events` in the same transaction.
   */
  fire(rule: AlertRule, tick: PricePoint): Promise<OwnedAlert | undefined>;
  /**
   * `fire` for many alerts in one round trip (one transaction): each answer is what `fire` would
   * have answered, in the order given. One attempt per alert per call.
   */
  fireAll(attempts: readonly AlertAttempt[]): Promise<(OwnedAlert | undefined)[]>;
  /** Sets `armed` under the same guards (active, seq newer than the last fire, same revision). */
  arm(rule: AlertRule, tick: PricePoint): Promise<AlertRule | undefined>;
  /** `arm` for many alerts in one round trip, answered in the order given. One attempt per alert per call. */
  armAll(attempts: readonly AlertAttempt[]): Promise<(AlertRule | undefined)[]>;
  /** Drops deletion tombstones older than `before`. */
  pruneTombstones(before: Date): Promise<void>;
}

export interface OrderSubmission {
  readonly userId: number;
  readonly request: OrderRequest;
  readonly idempotencyKey: string | undefined;
  /** Latest tick of the symbol: its price prices market buys, its seq is where the order starts. */
  readonly latest: { readonly price: Money; readonly seq: number } | undefined;
  /** Start of the UTC day the order is accepted in (for `day` orders). */
  readonly day: number;
  /** Cash of an account opened by this submission. */
  readonly startingCash: Money;
}

export type SubmitResult =
  | { readonly ok: true; readonly order: OrderRecord; readonly created: boolean }
  | { readonly ok: false; readonly code: 'INSUFFICIENT_FUNDS' | 'INSUFFICIENT_POSITION' | 'IDEMPOTENCY_KEY_REUSED' | 'NO_PRICE_YET'; readonly message: string };

export interface Ledger {
  readonly cash: Money;
  readonly startingCash: Money;
  /** What open buy orders hold back. */
  readonly reserved: Money;
  readonly positions: Position[];
  /** Per symbol, what the owner's fills since `since` (the trading day's start) did. */
  readonly today: DayActivity[];
}

export interface OrderRepository {
  submit(submission: OrderSubmission): Promise<SubmitResult>;
  get(userId: number, id: number): Promise<OrderRecord | undefined>;
  /** Newest first. */
  list(userId: number, filter: { status?: OrderStatus | 'open'; symbol?: string; limit: number }): Promise<OrderRecord[]>;
  /** Newest first. */
  fills(userId: number, filter: { orderId?: number; limit: number }): Promise<FillRecord[]>;
  /** Cancels an open order and releases its reservation; 'closed' when it is no longer open. */
  cancel(userId: number, id: number): Promise<OrderRecord | 'not_found' | 'closed'>;
  /** `new` → `accepted` for each of `ids` still `new` (one statement); the orders it changed, by id. */
  accept(ids: readonly number[]): Promise<OrderRecord[]>;
  /** Every open order of every user (the orders role's book). */
  open(): Promise<OrderRecord[]>;
  /**
   * For `decideBatch`: the orders among these still open, their owners' cash, open-buy
   * reservations and positions in the orders' symbols — owners' accounts locked first (in user id
   * order), then the orders, until the transaction ends.
   */
  lockLedger(orders: readonly Pick<OrderRecord, 'id' | 'userId' | 'symbol'>[]): Promise<LockedLedger>;
  /**
   * The owners' submission locks (after the account rows `lockLedger` took), until the transaction
   * ends, and what their open buys hold back now (0 for none): for a batch that lowers their
   * buying power, to decide again against reservations no submission can add to meanwhile.
   */
  lockFunds(users: readonly number[]): Promise<Map<number, Money>>;
  /**
   * Writes a `decideBatch` outcome (fills, orders, positions, cash). Throws, writing nothing, if a
   * fill was recorded before or an order changed since it was read: decide again on fresh state.
   */
  recordBatch(outcome: BatchOutcome): Promise<{ orders: OrderRecord[]; fills: FillRecord[] }>;
  /** The owner's cash and positions (opening the account with `startingCash` if new), and the fills of the UTC days from the one holding `since` (epoch ms) on, summed per symbol. */
  ledger(userId: number, startingCash: Money, since: number): Promise<Ledger>;
  /** `ledger` of several users in one transaction, by user id. */
  ledgers(userIds: readonly number[], startingCash: Money, since: number): Promise<Map<number, Ledger>>;
  /** Back to `startingCash` with no positions, orders or fills; an owner without an account yet is left as is (it opens with `startingCash` on first use). */
  reset(userId: number, startingCash: Money): Promise<void>;
  /** Who holds what (quantity > 0): whose portfolio a tick moves. */
  holdings(): Promise<{ userId: number; symbol: string }[]>;
}
