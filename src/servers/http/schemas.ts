import { Type, type TSchema } from '@sinclair/typebox';
import { CANDLE_INTERVAL_NAMES } from '../../domain/candles.js';
import { ERROR_CODES } from '../../domain/errors.js';
import { ERROR_CODE } from './strict-validation.js';

/** OpenAPI/JSON schemas of what the REST API returns; fastify also serialises with them. */
export const TickSchema = Type.Object(
  {
    symbol: Type.String({ examples: ['AAPL'] }),
    price: Type.Number({ examples: [189.42] }),
    size: Type.Number({ description: 'Shares traded.' }),
    seq: Type.Integer({ description: 'Strictly increasing per symbol at the source.' }),
    ts: Type.Integer({ description: 'Epoch milliseconds at the source.' }),
    timestamp: Type.String({ format: 'date-time' }),
  },
  { $id: 'Tick' },
);

export const QuoteSchema = Type.Object(
  {
    symbol: Type.String(),
    price: Type.Number({ description: 'Last trade price.' }),
    size: Type.Number(),
    seq: Type.Integer(),
    ts: Type.Integer(),
    timestamp: Type.String({ format: 'date-time' }),
    open: Type.Number({ description: 'First price of the UTC day.' }),
    high: Type.Number(),
    low: Type.Number(),
    change: Type.Number({ description: 'price − open' }),
    changePercent: Type.Number(),
    volume: Type.Number({ description: 'Shares traded today.' }),
    vwap: Type.Number({ description: 'Volume-weighted average price today.' }),
    trades: Type.Integer(),
  },
  { $id: 'Quote' },
);

export const CandleSchema = Type.Object(
  {
    time: Type.Integer({ description: 'Bucket start, epoch ms.' }),
    open: Type.Number(),
    high: Type.Number(),
    low: Type.Number(),
    close: Type.Number(),
    volume: Type.Number(),
    trades: Type.Integer(),
  },
  { $id: 'Candle' },
);

export const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.Union(Object.keys(ERROR_CODES).map((c) => Type.Literal(c))),
      message: Type.String(),
    }),
  },
  { $id: 'Error', description: 'Every /api/v1 error; `code` is stable, see the README error table.' },
);

/** The seed services' `{message, data, success}` envelope. */
export function envelope<T extends TSchema>(data: T) {
  return Type.Object({ message: Type.String(), data, success: Type.Boolean() });
}

export const LegacyErrorSchema = Type.Object({
  message: Type.String(),
  data: Type.Null(),
  success: Type.Literal(false),
  code: Type.String(),
});

export const SymbolParam = Type.Object({ symbol: Type.String({ description: 'Ticker symbol, case-insensitive.', examples: ['AAPL'] }) });

export const limitQuery = (max: number, def: number) =>
  Type.Integer({ minimum: 1, maximum: max, default: Math.min(def, max), description: `1 to ${max}.`, [ERROR_CODE]: 'INVALID_LIMIT' });

export const IntervalQuery = Type.Union(CANDLE_INTERVAL_NAMES.map((i) => Type.Literal(i)), { default: '1m', [ERROR_CODE]: 'INVALID_INTERVAL' });
