/** Account rules shared by the REST schemas, the database and the token service. */

/** 3–32 of [a-z0-9_.-]; compared case-insensitively, stored in lower case. */
export const USERNAME_PATTERN = '^[A-Za-z0-9_.-]{3,32}$';
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

export function normalizeUsername(username: string): string {
  return username.toLowerCase();
}

/** Who a valid token speaks for. */
export interface AuthUser {
  readonly id: number;
  readonly username: string;
}

export interface UserRecord extends AuthUser {
  readonly passwordHash: string;
  readonly createdAt: string;
}
