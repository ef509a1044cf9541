import { isIP } from 'node:net';

/** Small building blocks for the configuration schema: each parser says what it allows. */
export interface Field<T> {
  readonly env: string;
  readonly default: T;
  readonly doc: string;
  /** Human wording of what is allowed, for error messages and the README table. */
  readonly allowed: string;
  parse(raw: string): T;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

class Invalid extends Error {}

function fail(): never {
  throw new Invalid();
}

export function int(env: string, def: number, min: number, max: number, doc: string): Field<number> {
  return {
    env,
    default: def,
    doc,
    allowed: `an integer from ${min} to ${max}`,
    parse(raw) {
      if (!/^-?\d+$/.test(raw.trim())) fail();
      const n = Number(raw);
      if (!Number.isSafeInteger(n) || n < min || n > max) fail();
      return n;
    },
  };
}

export function num(env: string, def: number, min: number, max: number, doc: string): Field<number> {
  return {
    env,
    default: def,
    doc,
    allowed: `a number from ${min} to ${max}`,
    parse(raw) {
      if (raw.trim() === '') fail();
      const n = Number(raw);
      if (!Number.isFinite(n) || n < min || n > max) fail();
      return n;
    },
  };
}

export function oneOf<const T extends string>(env: string, def: T, values: readonly T[], doc: string): Field<T> {
  return {
    env,
    default: def,
    doc,
    allowed: `one of ${values.join(', ')}`,
    parse(raw) {
      const v = raw.trim() as T;
      if (!values.includes(v)) fail();
      return v;
    },
  };
}

/** A switch: `true` or `false` in the environment, a boolean in the configuration. */
export function bool(env: string, def: boolean, doc: string): Field<boolean> {
  return {
    env,
    default: def,
    doc,
    allowed: 'one of true, false',
    parse(raw) {
      const v = raw.trim();
      if (v !== 'true' && v !== 'false') fail();
      return v === 'true';
    },
  };
}

export function text(env: string, def: string, doc: string, allowed = 'any text'): Field<string> {
  return { env, default: def, doc, allowed, parse: (raw) => raw };
}

export function optionalText(env: string, doc: string, allowed: string, pattern?: RegExp | ((value: string) => boolean)): Field<string | undefined> {
  return {
    env,
    default: undefined,
    doc,
    allowed,
    parse(raw) {
      const v = raw.trim();
      if (v === '') return undefined;
      if (pattern && !(typeof pattern === 'function' ? pattern(v) : pattern.test(v))) fail();
      return v;
    },
  };
}

/** A comma-separated list; `check` rejects an element by returning false; `nonEmpty` rejects an empty list. */
export function list(env: string, def: string[], doc: string, allowed: string, check: (item: string) => boolean = () => true, nonEmpty = false): Field<string[]> {
  return {
    env,
    default: def,
    doc,
    allowed: nonEmpty ? `${allowed}, at least one` : allowed,
    parse(raw) {
      const items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
      if (!items.every(check) || (nonEmpty && items.length === 0)) fail();
      return [...new Set(items)];
    },
  };
}

export function isInvalid(error: unknown): boolean {
  return error instanceof Invalid;
}

/**
 * A URL of one of `protocols` that names a host (and, if any, a valid port): `redis://:@:/` passes
 * a pattern like `^redis://\S+$` but names nothing to connect to.
 */
export function isServiceUrl(protocols: readonly string[]): (value: string) => boolean {
  return (value) => {
    try {
      const url = new URL(value);
      return protocols.includes(url.protocol.replace(/:$/, '')) && url.hostname !== '';
    } catch {
      return false;
    }
  };
}

/** `*`, or an origin as browsers send it: `scheme://host[:port]`, nothing after. */
export function isOrigin(value: string): boolean {
  if (value === '*') return true;
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}

/** A reverse proxy's address for TRUST_PROXY: an IP, a CIDR range, or loopback, linklocal, uniquelocal. */
export function isProxyAddress(value: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(value)) return true;
  const [address, prefix, ...rest] = value.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}
