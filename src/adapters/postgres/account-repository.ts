import { sql, type Kysely } from 'kysely';
import { normalizeUsername, type UserRecord } from '../../domain/accounts/account.js';
import type { AccountRepository } from '../../ports/database.js';
import type { Tables, UserRow } from './tables.js';

function toUser(row: UserRow): UserRecord {
  return { id: row.id, username: row.username, passwordHash: row.password_hash, createdAt: row.created_at.toISOString() };
}

export class SqlAccountRepository implements AccountRepository {
  constructor(private readonly db: Kysely<Tables>) {}

  async create(username: string, passwordHash: string): Promise<UserRecord | undefined> {
    // The unique index on lower(username) decides races between two registrations of one name.
    const row = await this.db
      .insertInto('users')
      .values({ username: normalizeUsername(username), password_hash: passwordHash })
      .onConflict((oc) => oc.expression(sql`lower(username)`).doNothing())
      .returningAll()
      .executeTakeFirst();
    return row ? toUser(row) : undefined;
  }

  async findByUsername(username: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where(sql`lower(username)`, '=', normalizeUsername(username)).executeTakeFirst();
    return row ? toUser(row) : undefined;
  }

  async findById(id: number): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toUser(row) : undefined;
  }

  async replacePasswordHash(id: number, current: string, next: string): Promise<boolean> {
    const result = await this.db.updateTable('users').set({ password_hash: next }).where('id', '=', id).where('password_hash', '=', current).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
