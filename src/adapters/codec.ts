import { parseTick, type Tick } from '../domain/tick.js';

/**
 * How values cross a process boundary. `decode` returns undefined for a record it cannot read
 * (written by a bad producer): adapters skip and count such records instead of crashing the reader.
 * `encode` writes JSON text without a newline (JSON.stringify's output): RedisPubSub packs several
 * messages into one PUBLISH, one per line.
 */
export interface Codec<T> {
  encode(value: T): string;
  decode(raw: string | Buffer): T | undefined;
}

export const tickCodec: Codec<Tick> = {
  encode: (t) => JSON.stringify({ symbol: t.symbol, price: t.price, size: t.size, ts: t.ts, seq: t.seq, source: t.source }),
  decode(raw) {
    try {
      return parseTick(JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8')));
    } catch {
      return undefined;
    }
  },
};
