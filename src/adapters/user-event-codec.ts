import type { UserEvent } from '../domain/accounts/user-events.js';
import type { Codec } from './codec.js';

/** `user.<id>` messages across processes (Redis pub/sub). Decoding checks the routing fields. */
export const userEventCodec: Codec<UserEvent> = {
  encode: (event) => JSON.stringify(event),
  decode(raw) {
    try {
      const event = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8')) as Partial<UserEvent>;
      if (event.type !== 'alert' || !Number.isSafeInteger(event.userId) || typeof event.alert !== 'object' || event.alert === null) return undefined;
      if (typeof event.price !== 'number' || typeof event.ts !== 'number') return undefined;
      return event as UserEvent;
    } catch {
      return undefined;
    }
  },
};
