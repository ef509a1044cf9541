import { sql, type Kysely } from 'kysely';
import type { Tables } from './tables.js';

/** First key of every account's submission lock (the second is the user id); the migrations' lock is a one-key lock, another space. */
const SUBMISSION_LOCK = 7240312;

/**
 * Takes the owners' submission locks until the caller's transaction ends: transaction-level
 * advisory locks, in user id order, so two batches never deadlock. Submissions of an owner take
 * turns on this lock, not on the account row, so they never wait for a fill batch; a fill batch
 * takes it too (after the account rows) only when it lowers the owner's buying power (see
 * `spendsPastReservations`), and a reset takes it after the account row.
 */
export async function lockSubmissions(db: Kysely<Tables>, users: readonly number[]): Promise<void> {
  const sorted = [...new Set(users)].sort((a, b) => a - b);
  // ORDER BY: the locking function is evaluated after the sort, so the locks are taken in that order.
  await sql`SELECT pg_advisory_xact_lock(${SUBMISSION_LOCK}, u) FROM unnest(${sorted}::integer[]) AS u ORDER BY u`.execute(db);
}
