import { createHash, timingSafeEqual } from 'node:crypto';

/** An INGEST_API_KEYS entry: the name (the ticks' default `source`) and the secret's digest. */
interface IngestKey {
  readonly name: string;
  readonly digest: Buffer;
}

const digest = (secret: string): Buffer => createHash('sha256').update(secret).digest();

/**
 * The ingest keys, checked in constant time: the presented secret is hashed to a fixed length and
 * compared with every key (no early exit), so neither the length of a key nor which key nearly
 * matched shows in the time the answer takes.
 */
export class IngestKeys {
  private readonly keys: IngestKey[];

  constructor(entries: readonly string[]) {
    this.keys = entries.map((entry) => {
      const at = entry.indexOf(':');
      return { name: entry.slice(0, at), digest: digest(entry.slice(at + 1)) };
    });
  }

  get enabled(): boolean {
    return this.keys.length > 0;
  }

  /** The name of the key `secret` is, or undefined. */
  identify(secret: string): string | undefined {
    const presented = digest(secret);
    let found: string | undefined;
    for (const key of this.keys) if (timingSafeEqual(presented, key.digest) && found === undefined) found = key.name;
    return found;
  }
}
