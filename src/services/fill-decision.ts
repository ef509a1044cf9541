import { decideBatch, spendsPastReservations, type BatchOutcome, type LockedLedger } from '../domain/orders/fill-batch.js';
import type { OrderRecord } from '../domain/orders/records.js';
import type { Tick } from '../domain/tick.js';
import type { OrderRepository } from '../ports/database.js';

/**
 * A batch of ticks decided against `candidates` in the caller's transaction: the ledger under the
 * owners' account locks, then `decideBatch`. Submissions do not wait for those locks, so the
 * reservations read may already be short of what a submission has since held back; that only
 * matters to a decision that lowers an owner's buying power (a buy filled past its collar), so
 * only then are the owners' submission locks taken, the reservations read again and the batch
 * decided again — rare, and the common batch keeps its few statements.
 */
export async function decideUnderLocks(orders: Pick<OrderRepository, 'lockLedger' | 'lockFunds'>, candidates: readonly OrderRecord[], ticks: readonly Tick[]): Promise<{ ledger: LockedLedger; outcome: BatchOutcome }> {
  const ledger = await orders.lockLedger(candidates);
  const outcome = decideBatch(ledger, ticks);
  const spenders = spendsPastReservations(ledger, outcome);
  if (spenders.length === 0) return { ledger, outcome };
  const fresh: LockedLedger = { ...ledger, reserved: new Map([...ledger.reserved, ...(await orders.lockFunds(spenders))]) };
  return { ledger: fresh, outcome: decideBatch(fresh, ticks) };
}
