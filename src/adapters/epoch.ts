import { randomBytes } from 'node:crypto';

/** A new stream epoch: 48 random bits, URL-safe, short enough to ride on every tick frame. */
export function freshEpoch(): string {
  return randomBytes(6).toString('base64url');
}
