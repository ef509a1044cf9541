import { parseOrderCommand, type OrderCommand } from '../domain/orders/commands.js';
import type { Codec } from './codec.js';

/** Order commands on the queue: JSON; anything else is a poison message (dead-lettered at once). */
export const orderCommandCodec: Codec<OrderCommand> = {
  encode: (command) => JSON.stringify(command),
  decode(raw) {
    try {
      return parseOrderCommand(JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8')));
    } catch {
      return undefined;
    }
  },
};
