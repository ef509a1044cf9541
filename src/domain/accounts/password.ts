import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Password hashing with scrypt (node:crypto). The stored form carries its own parameters and salt,
 * `scrypt$ln=17,r=8,p=1$<salt>$<hash>` (base64), so the cost can be raised later without
 * invalidating existing hashes.
 */
export interface ScryptParams {
  /** log2 of the CPU/memory cost N. */
  readonly ln: number;
  readonly r: number;
  readonly p: number;
}

/**
 * OWASP's Password Storage Cheat Sheet: scrypt N = 2^17, r = 8, p = 1 — 128 MiB and a few hundred
 * milliseconds per hash. Hashes stored with weaker parameters still verify, and are replaced at
 * the next successful login (`needsRehash`).
 */
export const DEFAULT_SCRYPT: ScryptParams = { ln: 17, r: 8, p: 1 };
const SALT_BYTES = 16;
const KEY_BYTES = 32;
const FORMAT = /^scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

function derive(password: string, salt: Buffer, keyLength: number, { ln, r, p }: ScryptParams): Promise<Buffer> {
  const N = 2 ** ln;
  return new Promise((resolve, reject) =>
    // maxmem above the 128·N·r bytes the parameters need (128 MiB at 2^17), which node's 32 MiB default would refuse.
    scrypt(password.normalize('NFKC'), salt, keyLength, { N, r, p, maxmem: 256 * N * r }, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, params);
  return `scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

function paramsOf(match: RegExpExecArray): ScryptParams {
  return { ln: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
}

/**
 * True when a stored hash (one that just verified) was made with weaker parameters than `target`,
 * so the password should be hashed again with them. Not ours at all: true as well.
 */
export function needsRehash(stored: string, target: ScryptParams = DEFAULT_SCRYPT): boolean {
  const match = FORMAT.exec(stored);
  if (!match) return true;
  const { ln, r, p } = paramsOf(match);
  return ln < target.ln || r < target.r || p < target.p;
}

/** False for a wrong password and for a stored value that is not one of our hashes. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = FORMAT.exec(stored);
  if (!match) return false;
  const params = paramsOf(match);
  if (params.ln < 1 || params.ln > 20 || params.r < 1 || params.p < 1) return false;
  const expected = Buffer.from(match[5]!, 'base64');
  if (expected.length < 16) return false;
  const actual = await derive(password, Buffer.from(match[4]!, 'base64'), expected.length, params);
  return timingSafeEqual(actual, expected);
}

const decoys = new Map<string, Promise<string>>();

/**
 * Spends the time of one verification and answers false: a login for a user that does not exist
 * takes as long as one with a wrong password at the current parameters, so timing does not tell
 * which usernames exist.
 */
export async function verifyAgainstDecoy(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<false> {
  const key = `${params.ln},${params.r},${params.p}`;
  let decoy = decoys.get(key);
  if (!decoy) decoys.set(key, (decoy = hashPassword(randomBytes(16).toString('hex'), params)));
  await verifyPassword(password, await decoy);
  return false;
}
