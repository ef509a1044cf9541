import type { UserEvent } from '../domain/accounts/user-events.js';
import type { Codec } from './codec.js';

/** `user.<id>` messages across processes (Redis pub/sub). Decoding checks the routing fields. */
export const userEventCodec: Codec<UserEvent> = {
  encode: (event) => JSON.stringify(event),
  decode(raw) {
    try {
      const event = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8')) as { type?: unknown; userId?: unknown; alert?: unknown; order?: unknown; portfolio?: unknown; price?: unknown; ts?: unknown };
      if (!Number.isSafeInteger(event.userId)) return undefined;
      const isObject = (v: unknown) => typeof v === 'object' && v !== null;
      switch (event.type) {
        case 'alert':
          return isObject(event.alert) && typeof event.price === 'number' && typeof event.ts === 'number' ? (event as UserEvent) : undefined;
        case 'order':
          return isObject(event.order) ? (event as UserEvent) : undefined;
        case 'portfolio':
          return isObject(event.portfolio) ? (event as UserEvent) : undefined;
        default:
          return undefined;
      }
    } catch {
      return undefined;
    }
  },
};
