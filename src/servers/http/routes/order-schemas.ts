import { Type } from '@sinclair/typebox';
import { MAX_ORDER_QUANTITY, ORDER_SIDES, ORDER_STATUSES, ORDER_TYPES, TIMES_IN_FORCE } from '../../../domain/orders/order.js';
import { ERROR_CODE } from '../strict-validation.js';
import { SymbolField } from './alert-schemas.js';

/** Request and response schemas of the paper-trading routes; request fields carry their error codes. */
const literals = <T extends string>(values: readonly T[]) => values.map((v) => Type.Literal(v));
const Price = (what: string) => Type.Number({ exclusiveMinimum: 0, description: `${what}, in dollars on the tick grid (whole cents from $1, hundredths of a cent below).`, [ERROR_CODE]: 'INVALID_ORDER_PRICE' });

export const CreateOrder = Type.Object(
  {
    symbol: SymbolField,
    side: Type.Union(literals(ORDER_SIDES), { [ERROR_CODE]: 'INVALID_SIDE' }),
    type: Type.Union(literals(ORDER_TYPES), {
      description: 'market: next tick. limit: at the limit or better. stop: a market order once a tick reaches the stop. stop_limit: a limit order once a tick reaches the stop.',
      [ERROR_CODE]: 'INVALID_ORDER_TYPE',
    }),
    quantity: Type.Integer({ minimum: 1, maximum: MAX_ORDER_QUANTITY, description: 'Whole shares.', [ERROR_CODE]: 'INVALID_QUANTITY' }),
    limitPrice: Type.Optional(Price('limit and stop_limit orders only')),
    stopPrice: Type.Optional(Price('stop and stop_limit orders only')),
    timeInForce: Type.Optional(Type.Union(literals(TIMES_IN_FORCE), { description: 'day (default): expires at the end of the UTC day. gtc: until filled or canceled. ioc: the next tick decides, the rest is canceled.', [ERROR_CODE]: 'INVALID_TIME_IN_FORCE' })),
  },
  { additionalProperties: false, description: 'Status, fills and owner come from the server; a body naming them is refused.' },
);

export const OrderSchema = Type.Object({
  id: Type.Integer(),
  symbol: Type.String(),
  side: Type.Union(literals(ORDER_SIDES)),
  type: Type.Union(literals(ORDER_TYPES)),
  timeInForce: Type.Union(literals(TIMES_IN_FORCE)),
  quantity: Type.Integer(),
  filledQuantity: Type.Integer(),
  limitPrice: Type.Union([Type.Number(), Type.Null()]),
  stopPrice: Type.Union([Type.Number(), Type.Null()]),
  averageFillPrice: Type.Union([Type.Number(), Type.Null()]),
  status: Type.Union(literals(ORDER_STATUSES)),
  reason: Type.Union([Type.String({ description: 'Why it was canceled, expired or rejected: DAY_ENDED, IOC_UNFILLED, INSUFFICIENT_FUNDS, INSUFFICIENT_POSITION (rejected when not one share could fill; the rest canceled once some did), CANCELED_BY_USER.' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const FillSchema = Type.Object({
  id: Type.Integer(),
  orderId: Type.Integer(),
  symbol: Type.String(),
  side: Type.Union(literals(ORDER_SIDES)),
  quantity: Type.Integer(),
  price: Type.Number(),
  seq: Type.Integer({ description: 'The seq of the tick it filled on.' }),
  ts: Type.String({ format: 'date-time', description: 'Source time of that tick.' }),
});

const Dollars = (description: string) => Type.Number({ description });
export const PortfolioSchema = Type.Object({
  cash: Dollars('Cash in USD.'),
  buyingPower: Dollars('Cash minus what open buy orders hold back.'),
  startingCash: Dollars('Cash the account started (or was last reset) with.'),
  equity: Dollars('Cash plus the market value of positions.'),
  marketValue: Dollars('Positions at their latest prices (at cost while a symbol has no price).'),
  unrealizedPnl: Dollars('Market value minus cost of what is held.'),
  realizedPnl: Dollars('Profit and loss booked by sells (average cost).'),
  totalPnl: Dollars('Equity minus starting cash.'),
  dayPnl: Dollars('Equity now minus equity at the start of the trading day (UTC midnight): positions held then marked at the day\'s open (or the last price before midnight when the symbol has not traded since), plus what today\'s fills did.'),
  dayStart: Type.String({ format: 'date-time', description: 'Start of the trading day dayPnl counts from: 00:00 UTC today.' }),
  lotSize: Type.Integer({ minimum: 1, description: 'Shares per lot (PAPER_LOT_SIZE): a buy’s quantity must be a whole number of lots; a sell may be any whole number held.' }),
  positions: Type.Array(
    Type.Object({
      symbol: Type.String(),
      quantity: Type.Integer(),
      averageCost: Type.Number(),
      price: Type.Union([Type.Number(), Type.Null()]),
      marketValue: Type.Number(),
      unrealizedPnl: Type.Number(),
      realizedPnl: Type.Number(),
    }),
  ),
});

export const OrderListQuery = Type.Object(
  {
    status: Type.Optional(Type.Union([...literals(ORDER_STATUSES), Type.Literal('open')], { description: '`open`: new, accepted or partially_filled.' })),
    symbol: Type.Optional(SymbolField),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  },
  { additionalProperties: false },
);

export const FillListQuery = Type.Object({ orderId: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647 })), limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) }, { additionalProperties: false });
