import type { Tick } from '../tick.js';
import { reservationAfterFill } from './buying-power.js';
import { matchTick, type Match } from './matching.js';
import { times, type Money } from './money.js';
import { isOpen, remaining } from './order.js';
import { applyFill, emptyPosition, type Position } from './portfolio.js';
import type { OrderRecord } from './records.js';

/**
 * What the ledger holds for a batch's orders, read under their owners' account locks. Those guard
 * the orders, cash and positions; reservations can grow meanwhile by submissions, which take their
 * own lock (see `spendsPastReservations`).
 */
export interface LockedLedger {
  /** The orders to decide, as stored now. */
  readonly orders: readonly OrderRecord[];
  /** Cash per owner. */
  readonly cash: ReadonlyMap<number, Money>;
  /** Per owner, what all their open buy orders hold back (the batch's orders included), as last read. */
  readonly reserved: ReadonlyMap<number, Money>;
  /** Positions of the owners in the batch's symbols, by `positionKey`; absent means none. */
  readonly positions: ReadonlyMap<string, Position>;
}

/** One decision, in the order they were made: what `matchTick` said about `order` on `tick`. */
export interface FillStep {
  /** The order as it was just before this tick. */
  readonly before: OrderRecord;
  readonly tick: Tick;
  readonly match: Match;
  /** The order as this tick left it. */
  readonly after: OrderRecord;
}

export interface BatchOutcome {
  readonly steps: readonly FillStep[];
  /** Final state of every order a step changed. */
  readonly orders: ReadonlyMap<number, OrderRecord>;
  /** Final positions (by `positionKey`) and cash of the owners whose fills moved them. */
  readonly positions: ReadonlyMap<string, { readonly userId: number; readonly position: Position }>;
  readonly cash: ReadonlyMap<number, Money>;
  /** Per owner of a changed buy order, what their open buys hold back after the batch. */
  readonly reserved: ReadonlyMap<number, Money>;
}

export const positionKey = (userId: number, symbol: string): string => `${userId}\u0000${symbol}`;

/**
 * Decides a batch of ticks against a batch of orders in one pass, with the same outcome as one
 * `matchTick` per (tick, order) in tick order, then order id, each seeing the cash, reservations
 * and positions the earlier ones left — which is what one transaction per fill would have done.
 * Pure: the caller writes the outcome in one transaction, under the locks the ledger was read in.
 * A tick at or before an order's `afterSeq` is skipped, as one repeated or replayed would be.
 */
export function decideBatch(ledger: LockedLedger, ticks: readonly Tick[]): BatchOutcome {
  const orders = new Map([...ledger.orders].sort((a, b) => a.id - b.id).map((o) => [o.id, o]));
  const cash = new Map(ledger.cash);
  const reserved = new Map(ledger.reserved);
  const positions = new Map(ledger.positions);
  const steps: FillStep[] = [];
  const changedOrders = new Map<number, OrderRecord>();
  const movedPositions = new Map<string, { userId: number; position: Position }>();
  const movedCash = new Map<number, Money>();
  const movedReserved = new Map<number, Money>();

  for (const tick of ticks) {
    for (const order of orders.values()) {
      if (order.symbol !== tick.symbol || !isOpen(order.status)) continue;
      const key = positionKey(order.userId, order.symbol);
      const userCash = cash.get(order.userId) ?? 0;
      const userReserved = reserved.get(order.userId) ?? 0;
      const position = positions.get(key) ?? emptyPosition(order.symbol);
      const spendable = userCash - (userReserved - (order.side === 'buy' ? order.reserved : 0));
      const match = matchTick(order, tick, { spendable, held: position.quantity });
      if (!match) continue;
      const filled = match.fill?.quantity ?? 0;
      if (match.fill) {
        const after = applyFill(position, userCash, { side: order.side, ...match.fill });
        positions.set(key, after.position);
        movedPositions.set(key, { userId: order.userId, position: after.position });
        cash.set(order.userId, after.cash);
        movedCash.set(order.userId, after.cash);
      }
      const nextReserved = isOpen(match.status) ? reservationAfterFill(order.reserved, remaining(order), remaining(order) - filled) : 0;
      if (order.side === 'buy') {
        const ownerReserved = userReserved - order.reserved + nextReserved;
        reserved.set(order.userId, ownerReserved);
        movedReserved.set(order.userId, ownerReserved);
      }
      const next: OrderRecord = {
        ...order,
        status: match.status,
        reason: match.reason ?? null,
        triggered: match.triggered,
        filledQuantity: order.filledQuantity + filled,
        filledValue: order.filledValue + (match.fill ? times(match.fill.price, filled) : 0),
        reserved: nextReserved,
        afterSeq: tick.seq,
      };
      steps.push({ before: order, tick, match, after: next });
      orders.set(order.id, next);
      changedOrders.set(order.id, next);
    }
  }
  return { steps, orders: changedOrders, positions: movedPositions, cash: movedCash, reserved: movedReserved };
}

/**
 * Owners whose buying power (cash minus what open buys hold back) the outcome lowers: a buy filled
 * above what its order held back (a market or stop buy past its collar). Every other change only
 * raises it — a fill within its reservation pays with cash already held back, a sell brings cash
 * in — which is why submissions need not wait for fill batches: what they admit against stays
 * covered. Lowering it is only safe against reservations read under the owners' submission locks.
 */
export function spendsPastReservations(ledger: LockedLedger, outcome: BatchOutcome): number[] {
  const before = (u: number) => (ledger.cash.get(u) ?? 0) - (ledger.reserved.get(u) ?? 0);
  const after = (u: number) => (outcome.cash.get(u) ?? ledger.cash.get(u) ?? 0) - (outcome.reserved.get(u) ?? ledger.reserved.get(u) ?? 0);
  const owners = new Set([...outcome.cash.keys(), ...outcome.reserved.keys()]);
  return [...owners].filter((u) => after(u) < before(u)).sort((a, b) => a - b);
}
