/**
 * The order rules a client applies before it sends an order, and the money arithmetic it shows
 * amounts with. They are the server's own (src/domain/orders), so the dashboard's ticket refuses
 * what the API would refuse, with the same codes, and a client never re-implements them.
 */
export { admit, type AccountView } from '../domain/orders/buying-power.js';
export { onTickGrid, times, toDollars, toMoney } from '../domain/orders/money.js';
export {
  checkOrder,
  isOpen,
  remaining,
  ORDER_SIDES,
  ORDER_TYPES,
  TIMES_IN_FORCE,
  type OrderInput,
  type OrderSide,
  type OrderType,
  type TimeInForce,
} from '../domain/orders/order.js';
export type { FillView } from '../domain/orders/records.js';
