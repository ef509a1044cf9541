import { sql, type Kysely } from 'kysely';
import type { Alert, AlertPatch, AlertRule, AlertStatus, NewAlert } from '../../domain/alerts/alert.js';
import { initiallyArmed } from '../../domain/alerts/alert.js';
import type { PricePoint } from '../../domain/alerts/rules.js';
import type { AlertAttempt, AlertChanges, AlertEvent, AlertRepository, OwnedAlert } from '../../ports/database.js';
import { RULE_COLUMNS, toAlert, toOwned, toRule } from './alert-rows.js';
import type { AlertRow, Tables } from './tables.js';

/**
 * The batch as typed rows of a VALUES list (the types say how to compare with the table's
 * columns), in id order, so concurrent batches over the same alerts tend to lock rows in one order.
 */
const attemptValues = (attempts: readonly AlertAttempt[]) =>
  sql.join([...attempts].sort((a, b) => a.rule.id - b.rule.id).map(({ rule, tick }) => sql`(${rule.id}::integer, ${rule.revision}::bigint, ${tick.seq}::bigint, ${tick.price}::double precision, ${new Date(tick.ts)}::timestamptz)`));

/** Crossings start disarmed (they need the price seen on the other side first); see domain/alerts. */
const ARMING_RESET = sql<boolean>`condition NOT IN ('crosses_above', 'crosses_below')`;

export class SqlAlertRepository implements AlertRepository {
  constructor(private readonly db: Kysely<Tables>) {}

  async create(userId: number, input: NewAlert, maxPerUser: number): Promise<OwnedAlert | undefined> {
    const { count } = await this.db.selectFrom('alerts').select((eb) => eb.fn.countAll<number>().as('count')).where('user_id', '=', userId).executeTakeFirstOrThrow();
    if (Number(count) >= maxPerUser) return undefined;
    const row = await this.db
      .insertInto('alerts')
      .values({
        user_id: userId,
        symbol: input.symbol,
        condition: input.condition,
        threshold: input.threshold,
        mode: input.mode,
        cooldown_seconds: input.cooldownSeconds,
        note: input.note,
        status: 'active',
        armed: initiallyArmed(input.condition),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toOwned(row);
  }

  async get(userId: number, id: number): Promise<OwnedAlert | undefined> {
    const row = await this.db.selectFrom('alerts').selectAll().where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return row ? toOwned(row) : undefined;
  }

  async list(userId: number, status?: AlertStatus): Promise<Alert[]> {
    let query = this.db.selectFrom('alerts').selectAll().where('user_id', '=', userId);
    if (status !== undefined) query = query.where('status', '=', status);
    return (await query.orderBy('id').execute()).map(toAlert);
  }

  async update(userId: number, id: number, patch: AlertPatch): Promise<OwnedAlert | undefined> {
    const set: Record<string, unknown> = {};
    if (patch.threshold !== undefined) set.threshold = patch.threshold;
    if (patch.mode !== undefined) set.mode = patch.mode;
    if (patch.cooldownSeconds !== undefined) set.cooldown_seconds = patch.cooldownSeconds;
    if (patch.note !== undefined) set.note = patch.note;
    if (patch.status !== undefined) set.status = patch.status;
    if (Object.keys(set).length === 0) return this.get(userId, id);
    // A new threshold or mode, or re-activation, starts the alert over as if new (last_fired_seq stays).
    if (patch.threshold !== undefined || patch.mode !== undefined || patch.status !== undefined) set.armed = ARMING_RESET;
    const row = await this.db.updateTable('alerts').set(set).where('id', '=', id).where('user_id', '=', userId).returningAll().executeTakeFirst();
    return row ? toOwned(row) : undefined;
  }

  async delete(userId: number, id: number): Promise<boolean> {
    const result = await this.db.deleteFrom('alerts').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async events(userId: number, id: number, limit: number): Promise<AlertEvent[] | undefined> {
    if (!(await this.get(userId, id))) return undefined;
    const rows = await this.db.selectFrom('alert_events').select(['seq', 'price', 'tick_ts', 'fired_at']).where('alert_id', '=', id).orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => ({ seq: r.seq, price: r.price, ts: r.tick_ts.toISOString(), firedAt: r.fired_at.toISOString() }));
  }

  async activeRules(): Promise<{ rules: AlertRule[]; now: Date }> {
    const now = await this.clock();
    const rows = await this.db.selectFrom('alerts').select(RULE_COLUMNS).where('status', '=', 'active').orderBy('id').execute();
    return { rules: rows.map(toRule), now };
  }

  async rule(id: number): Promise<AlertRule | undefined> {
    const row = await this.db.selectFrom('alerts').select(RULE_COLUMNS).where('id', '=', id).executeTakeFirst();
    return row ? toRule(row) : undefined;
  }

  async changes(since: Date): Promise<AlertChanges> {
    // The clock first: whatever commits while the reads run is seen by the next window.
    const now = await this.clock();
    const rows = await this.db.selectFrom('alerts').select(RULE_COLUMNS).where('updated_at', '>=', since).orderBy('revision').execute();
    const gone = await this.db.selectFrom('alert_deletions').select('alert_id').where('deleted_at', '>=', since).execute();
    return { changed: rows.map(toRule), deleted: gone.map((g) => g.alert_id), now };
  }

  async fire(rule: AlertRule, tick: PricePoint): Promise<OwnedAlert | undefined> {
    return (await this.fireAll([{ rule, tick }]))[0];
  }

  /**
   * One UPDATE … FROM (VALUES …) for the whole batch, each row under fire's guards with its own
   * tick, then one INSERT of the events of the rows it changed, in one transaction.
   */
  async fireAll(attempts: readonly AlertAttempt[]): Promise<(OwnedAlert | undefined)[]> {
    if (attempts.length === 0) return [];
    return this.atomically(async (db) => {
      const { rows } = await sql<AlertRow>`
        UPDATE alerts AS a SET
          status = CASE WHEN a.mode = 'once' THEN 'triggered' ELSE a.status END,
          armed = false,
          triggered_at = v.at,
          triggered_price = v.price,
          trigger_count = a.trigger_count + 1,
          last_fired_seq = v.seq
        FROM (VALUES ${attemptValues(attempts)}) AS v(id, revision, seq, price, at)
        WHERE a.id = v.id AND a.revision = v.revision AND a.status = 'active' AND a.armed
          AND (a.last_fired_seq IS NULL OR a.last_fired_seq < v.seq)
          AND (a.mode = 'once' OR a.triggered_at IS NULL OR a.triggered_at + a.cooldown_seconds * interval '1 second' <= v.at)
        RETURNING a.*`.execute(db);
      if (rows.length === 0) return attempts.map(() => undefined);
      const byId = new Map(rows.map((row) => [row.id, row]));
      await db
        .insertInto('alert_events')
        .values(
          attempts
            .filter(({ rule }) => byId.has(rule.id))
            .map(({ rule, tick }) => ({ alert_id: rule.id, user_id: byId.get(rule.id)!.user_id, symbol: byId.get(rule.id)!.symbol, price: tick.price, seq: tick.seq, tick_ts: new Date(tick.ts) })),
        )
        .execute();
      return attempts.map(({ rule }) => {
        const row = byId.get(rule.id);
        return row ? toOwned(row) : undefined;
      });
    });
  }

  async arm(rule: AlertRule, tick: PricePoint): Promise<AlertRule | undefined> {
    return (await this.armAll([{ rule, tick }]))[0];
  }

  async armAll(attempts: readonly AlertAttempt[]): Promise<(AlertRule | undefined)[]> {
    if (attempts.length === 0) return [];
    const { rows } = await sql<AlertRow>`
      UPDATE alerts AS a SET armed = true
      FROM (VALUES ${attemptValues(attempts)}) AS v(id, revision, seq, price, at)
      WHERE a.id = v.id AND a.revision = v.revision AND a.status = 'active' AND NOT a.armed
        AND (a.last_fired_seq IS NULL OR a.last_fired_seq < v.seq)
      RETURNING a.*`.execute(this.db);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return attempts.map(({ rule }) => {
      const row = byId.get(rule.id);
      return row ? toRule(row) : undefined;
    });
  }

  async pruneTombstones(before: Date): Promise<void> {
    await this.db.deleteFrom('alert_deletions').where('deleted_at', '<', before).execute();
  }

  private async clock(): Promise<Date> {
    const { rows } = await sql<{ now: Date }>`SELECT now() AS now`.execute(this.db);
    return rows[0]!.now;
  }

  /** Joins the caller's transaction, or opens one. */
  private atomically<T>(fn: (db: Kysely<Tables>) => Promise<T>): Promise<T> {
    return this.db.isTransaction ? fn(this.db) : this.db.transaction().execute(fn);
  }
}
