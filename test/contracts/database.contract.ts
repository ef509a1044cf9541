import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewAlert } from '../../src/domain/alerts/alert.js';
import type { Database } from '../../src/ports/database.js';
import { MIGRATIONS } from '../../src/adapters/postgres/migrations.js';

export interface DatabaseFixture {
  /** Started (migrated) and private to this suite. */
  readonly db: Database;
  /** Another Database on the same storage, as a second process would open it; not started. */
  another(): Database;
  /** Whether two of its Databases run transactions at once (PostgreSQL), or take turns on one connection (PGlite). */
  readonly concurrent: boolean;
  /** Databases on a brand-new, empty storage, not started: for concurrent first migrations. */
  fresh(count: number): Promise<{ dbs: Database[]; cleanup(): Promise<void> }>;
  cleanup(): Promise<void>;
}

export type DatabaseFactory = () => Promise<DatabaseFixture>;

const T0 = Date.UTC(2024, 0, 2, 15, 0, 0);
const tick = (seq: number, price: number, ts = T0 + seq * 1000) => ({ seq, price, ts });
const alertInput = (overrides: Partial<NewAlert> = {}): NewAlert => ({
  symbol: 'AAPL',
  condition: 'above',
  threshold: 100,
  mode: 'once',
  cooldownSeconds: 0,
  note: null,
  ...overrides,
});

/**
 * A contract suite's set-up, registered in the calling describe: the fixture opened before its
 * tests and cleaned up after them, users named uniquely per run (suites on a shared engine never
 * collide), and other started Databases on the same storage, closed at the end.
 */
export function contractSuite(factory: DatabaseFactory, prefix: string) {
  let fixture: DatabaseFixture | undefined;
  const others: Database[] = [];
  const run = randomUUID().slice(0, 6);
  let n = 0;
  const opened = (): DatabaseFixture => {
    if (!fixture) throw new Error('the contract fixture is opened in beforeAll');
    return fixture;
  };
  beforeAll(async () => {
    fixture = await factory();
  });
  afterAll(async () => {
    for (const other of others) await other.close();
    await fixture?.cleanup();
  });
  return {
    get fixture(): DatabaseFixture {
      return opened();
    },
    run,
    newUser: async () => (await opened().db.accounts.create(`${prefix}${run}_${++n}`, 'hash'))!,
    another: async (): Promise<Database> => {
      const other = opened().another();
      others.push(other);
      await other.start();
      return other;
    },
  };
}

/** The promises of src/ports/database.ts, for any engine. */
export function databaseContract(name: string, factory: DatabaseFactory): void {
  describe(`Database contract: ${name}`, () => {
    const suite = contractSuite(factory, 'u');
    const { run, newUser, another } = suite;
    let db: Database;
    beforeAll(() => {
      db = suite.fixture.db;
    });

    describe('migrations', () => {
      it('records every known migration once, in order', async () => {
        expect(await db.appliedMigrations()).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
      });

      it('starting again on the same storage applies nothing and keeps the data', async () => {
        const user = await newUser();
        const other = await another();
        expect(await other.appliedMigrations()).toEqual(await db.appliedMigrations());
        expect(await other.accounts.findById(user.id)).toEqual(user);
      });

      it('several databases starting together on an empty storage apply each migration once', async () => {
        const { dbs, cleanup } = await suite.fixture.fresh(3);
        try {
          await Promise.all(dbs.map((d) => d.start()));
          for (const d of dbs) expect((await d.appliedMigrations()).map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
        } finally {
          await cleanup();
        }
      });
    });

    describe('transactions', () => {
      it('commit when the callback resolves', async () => {
        const username = `tx${run}ok`;
        const created = await db.transaction(async (tx) => {
          const user = (await tx.accounts.create(username, 'hash'))!;
          await tx.alerts.create(user.id, alertInput(), 10);
          return user;
        });
        expect(await db.accounts.findByUsername(username)).toEqual(created);
        expect(await db.alerts.list(created.id)).toHaveLength(1);
      });

      it('roll back everything when the callback throws', async () => {
        const username = `tx${run}no`;
        const owner = await newUser();
        await expect(
          db.transaction(async (tx) => {
            await tx.accounts.create(username, 'hash');
            await tx.alerts.create(owner.id, alertInput(), 10);
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        expect(await db.accounts.findByUsername(username)).toBeUndefined();
        expect(await db.alerts.list(owner.id)).toEqual([]);
      });

      it('roll back when a statement fails inside', async () => {
        const owner = await newUser();
        await expect(
          db.transaction(async (tx) => {
            await tx.alerts.create(owner.id, alertInput(), 10);
            // Violates the threshold > 0 check: the engine refuses it.
            await tx.alerts.create(owner.id, alertInput({ threshold: -1 }), 10);
          }),
        ).rejects.toThrow();
        expect(await db.alerts.list(owner.id)).toEqual([]);
      });
    });

    describe('accounts', () => {
      it('usernames are unique case-insensitively and stored in lower case', async () => {
        const name = `Case${run}`;
        const first = await db.accounts.create(name, 'hash');
        expect(first?.username).toBe(name.toLowerCase());
        expect(await db.accounts.create(name.toUpperCase(), 'other')).toBeUndefined();
        expect(await db.accounts.findByUsername(name.toUpperCase())).toEqual(first);
        expect(await db.accounts.findById(first!.id)).toEqual(first);
      });

      it('replacePasswordHash is a compare-and-set on the stored hash', async () => {
        const user = (await db.accounts.create(`Rehash${run}`, 'old-hash'))!;
        expect(await db.accounts.replacePasswordHash(user.id, 'not-the-stored-one', 'x')).toBe(false);
        expect((await db.accounts.findById(user.id))?.passwordHash).toBe('old-hash');
        expect(await db.accounts.replacePasswordHash(user.id, 'old-hash', 'new-hash')).toBe(true);
        expect((await db.accounts.findById(user.id))?.passwordHash).toBe('new-hash');
        expect(await db.accounts.replacePasswordHash(user.id, 'old-hash', 'newer-hash')).toBe(false);
      });
    });

    describe('alerts: ownership', () => {
      it('another user’s alert behaves like one that does not exist', async () => {
        const [owner, stranger] = [await newUser(), await newUser()];
        const { alert } = (await db.alerts.create(owner.id, alertInput({ note: 'mine' }), 10))!;
        expect(await db.alerts.get(stranger.id, alert.id)).toBeUndefined();
        expect(await db.alerts.list(stranger.id)).toEqual([]);
        expect(await db.alerts.update(stranger.id, alert.id, { threshold: 1 })).toBeUndefined();
        expect(await db.alerts.events(stranger.id, alert.id, 10)).toBeUndefined();
        expect(await db.alerts.delete(stranger.id, alert.id)).toBe(false);
        expect((await db.alerts.get(owner.id, alert.id))?.alert).toEqual(alert);
        expect(await db.alerts.delete(owner.id, alert.id)).toBe(true);
        expect(await db.alerts.get(owner.id, alert.id)).toBeUndefined();
      });

      it('lists by status, oldest first, and caps alerts per user', async () => {
        const owner = await newUser();
        const a = (await db.alerts.create(owner.id, alertInput(), 2))!;
        const b = (await db.alerts.create(owner.id, alertInput({ condition: 'below' }), 2))!;
        expect(await db.alerts.create(owner.id, alertInput(), 2)).toBeUndefined();
        await db.alerts.update(owner.id, b.alert.id, { status: 'disabled' });
        expect((await db.alerts.list(owner.id)).map((x) => x.id)).toEqual([a.alert.id, b.alert.id]);
        expect((await db.alerts.list(owner.id, 'disabled')).map((x) => x.id)).toEqual([b.alert.id]);
      });
    });

    describe('alerts: exactly-once fire', () => {
      it('concurrent attempts for one tick, from two connections, fire once', async () => {
        const owner = await newUser();
        const { rule } = (await db.alerts.create(owner.id, alertInput(), 10))!;
        const other = await another();
        const attempts = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? db : other).alerts.fire(rule, tick(5, 101)));
        const results = await Promise.all(attempts);
        expect(results.filter((r) => r !== undefined)).toHaveLength(1);
        const after = (await db.alerts.get(owner.id, rule.id))!;
        expect(after.alert).toMatchObject({ status: 'triggered', triggerCount: 1, triggeredPrice: 101, triggeredAt: new Date(tick(5, 101).ts).toISOString() });
        expect(await db.alerts.events(owner.id, rule.id, 10)).toEqual([expect.objectContaining({ seq: 5, price: 101 })]);
        // Fired once-alerts stay fired, whatever comes later.
        expect(await db.alerts.fire(after.rule, tick(6, 102))).toBeUndefined();
      });

      it('a re-arming alert fires once per crossing: replayed ticks and stale revisions are refused', async () => {
        const owner = await newUser();
        let { rule } = (await db.alerts.create(owner.id, alertInput({ mode: 'rearm' }), 10))!;
        const first = (await db.alerts.fire(rule, tick(5, 101)))!;
        expect(first.alert).toMatchObject({ status: 'active', triggerCount: 1 });
        rule = first.rule;
        expect(rule).toMatchObject({ armed: false, lastFiredSeq: 5 });
        // Disarmed: the same or a later tick does not fire until the condition was false.
        expect(await db.alerts.fire(rule, tick(6, 102))).toBeUndefined();
        // Arming from a tick at or before the last fire (a replay) is refused.
        expect(await db.alerts.arm(rule, tick(4, 99))).toBeUndefined();
        const armed = (await db.alerts.arm(rule, tick(7, 99)))!;
        expect(armed.armed).toBe(true);
        // The old revision can no longer write.
        expect(await db.alerts.fire(rule, tick(8, 101))).toBeUndefined();
        // Replaying the tick that fired before is refused even when armed.
        expect(await db.alerts.fire(armed, tick(5, 101))).toBeUndefined();
        const second = (await db.alerts.fire(armed, tick(8, 101)))!;
        expect(second.alert.triggerCount).toBe(2);
        expect((await db.alerts.events(owner.id, rule.id, 10))!.map((e) => e.seq)).toEqual([8, 5]);
      });

      it('the cooldown counts from the source time of the last fire', async () => {
        const owner = await newUser();
        const { rule } = (await db.alerts.create(owner.id, alertInput({ mode: 'rearm', cooldownSeconds: 60 }), 10))!;
        const fired = (await db.alerts.fire(rule, tick(1, 101, T0)))!;
        const armed = (await db.alerts.arm(fired.rule, tick(2, 99, T0 + 1_000)))!;
        expect(await db.alerts.fire(armed, tick(3, 101, T0 + 59_999))).toBeUndefined();
        expect(await db.alerts.fire(armed, tick(4, 101, T0 + 60_000))).toBeDefined();
      });

      it('a changed alert starts over: crossings disarm, level conditions arm, the seq guard stays', async () => {
        const owner = await newUser();
        const { rule } = (await db.alerts.create(owner.id, alertInput({ condition: 'crosses_above' }), 10))!;
        expect(rule.armed).toBe(false);
        const armed = (await db.alerts.arm(rule, tick(1, 99)))!;
        const moved = (await db.alerts.update(owner.id, rule.id, { threshold: 105 }))!;
        expect(moved.rule).toMatchObject({ armed: false, threshold: 105 });
        expect(moved.rule.revision).toBeGreaterThan(armed.revision);

        const level = (await db.alerts.create(owner.id, alertInput(), 10))!;
        const done = (await db.alerts.fire(level.rule, tick(9, 101)))!;
        const again = (await db.alerts.update(owner.id, level.rule.id, { status: 'active' }))!;
        expect(again.rule).toMatchObject({ status: 'active', armed: true, lastFiredSeq: 9 });
        expect(await db.alerts.fire(again.rule, tick(9, 101))).toBeUndefined();
        expect(await db.alerts.fire(again.rule, tick(10, 101))).toBeDefined();
        expect(done.alert.triggerCount).toBe(1);
      });
    });

    describe('alerts: batched fire and arm', () => {
      it('fireAll answers each alert as fire would, in order, and records events only for the fired', async () => {
        const [alice, bob] = [await newUser(), await newUser()];
        const ok = (await db.alerts.create(alice.id, alertInput({ mode: 'rearm' }), 10))!.rule;
        const stale = (await db.alerts.create(alice.id, alertInput(), 10))!.rule;
        await db.alerts.update(alice.id, stale.id, { note: 'changed since read' });
        const disarmed = (await db.alerts.create(bob.id, alertInput({ condition: 'crosses_above' }), 10))!.rule;
        const replayed = (await db.alerts.fire((await db.alerts.create(bob.id, alertInput({ mode: 'rearm' }), 10))!.rule, tick(9, 101)))!.rule;
        const bobs = (await db.alerts.create(bob.id, alertInput(), 10))!.rule;
        const results = await db.alerts.fireAll([
          { rule: ok, tick: tick(5, 101) },
          { rule: stale, tick: tick(5, 101) },
          { rule: disarmed, tick: tick(5, 101) },
          { rule: replayed, tick: tick(9, 101) },
          { rule: bobs, tick: tick(6, 103) },
        ]);
        expect(results.map((r) => r?.alert.id)).toEqual([ok.id, undefined, undefined, undefined, bobs.id]);
        expect(results[4]).toMatchObject({ userId: bob.id, alert: { status: 'triggered', triggeredPrice: 103, triggerCount: 1 } });
        expect(await db.alerts.events(alice.id, ok.id, 10)).toEqual([expect.objectContaining({ seq: 5, price: 101 })]);
        expect(await db.alerts.events(bob.id, bobs.id, 10)).toEqual([expect.objectContaining({ seq: 6, price: 103 })]);
        expect(await db.alerts.events(alice.id, stale.id, 10)).toEqual([]);
        expect(await db.alerts.fireAll([])).toEqual([]);
      });

      it('concurrent batches over the same alerts, from two connections, fire each alert once', async () => {
        const owner = await newUser();
        const rules = await Promise.all(Array.from({ length: 8 }, async () => (await db.alerts.create(owner.id, alertInput(), 20))!.rule));
        const other = await another();
        const batch = rules.map((rule) => ({ rule, tick: tick(5, 101) }));
        const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? db : other).alerts.fireAll(i % 3 === 0 ? [...batch].reverse() : batch)));
        for (const rule of rules) expect(answers.filter((a) => a.some((r) => r?.alert.id === rule.id))).toHaveLength(1);
        for (const rule of rules) expect(await db.alerts.events(owner.id, rule.id, 10)).toHaveLength(1);
      });

      it('armAll arms the disarmed alerts whose guards hold, answered in order', async () => {
        const owner = await newUser();
        const crossing = (await db.alerts.create(owner.id, alertInput({ condition: 'crosses_above' }), 10))!.rule;
        const level = (await db.alerts.create(owner.id, alertInput(), 10))!.rule;
        const fired = (await db.alerts.fire((await db.alerts.create(owner.id, alertInput({ mode: 'rearm' }), 10))!.rule, tick(5, 101)))!.rule;
        const results = await db.alerts.armAll([
          { rule: crossing, tick: tick(1, 99) },
          { rule: level, tick: tick(1, 99) },
          { rule: fired, tick: tick(4, 99) },
        ]);
        expect(results.map((r) => r?.armed)).toEqual([true, undefined, undefined]);
        expect((await db.alerts.armAll([{ rule: fired, tick: tick(6, 99) }]))[0]).toMatchObject({ id: fired.id, armed: true });
      });
    });

    describe('alerts: change feed', () => {
      it('reports changed and deleted alerts at or after `since`', async () => {
        const owner = await newUser();
        const { now: start } = await db.alerts.activeRules();
        const kept = (await db.alerts.create(owner.id, alertInput(), 10))!;
        const gone = (await db.alerts.create(owner.id, alertInput(), 10))!;
        await db.alerts.update(owner.id, kept.alert.id, { threshold: 120 });
        await db.alerts.delete(owner.id, gone.alert.id);
        const changes = await db.alerts.changes(start);
        const mine = changes.changed.filter((r) => r.userId === owner.id);
        expect(mine.map((r) => [r.id, r.threshold])).toEqual([[kept.alert.id, 120]]);
        expect(changes.deleted).toContain(gone.alert.id);
        expect(changes.now.getTime()).toBeGreaterThanOrEqual(start.getTime());
        expect((await db.alerts.activeRules()).rules.map((r) => r.id)).toContain(kept.alert.id);

        await db.alerts.pruneTombstones(new Date(changes.now.getTime() + 60_000));
        expect((await db.alerts.changes(start)).deleted).not.toContain(gone.alert.id);
      });
    });
  });
}
