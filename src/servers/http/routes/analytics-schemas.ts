import { Type, type TSchema } from '@sinclair/typebox';
import { ERROR_CODE } from '../strict-validation.js';
import { MOVER_WINDOW_NAMES } from '../../../domain/analytics/window-movers.js';

const IndicatorValueSchema = Type.Union([
  Type.Number(),
  Type.Object({ macd: Type.Number(), signal: Type.Number(), histogram: Type.Number() }, { description: 'macd:12:26:9' }),
  Type.Object({ upper: Type.Number(), middle: Type.Number(), lower: Type.Number() }, { description: 'bb:20:2' }),
]);

export const IndicatorSeriesSchema = Type.Object(
  {
    symbol: Type.String(),
    interval: Type.String(),
    indicators: Type.Record(
      Type.String(),
      Type.Array(Type.Object({ time: Type.Integer({ description: 'Bucket start of the candle, as `time` in /api/v1/candles.' }), value: IndicatorValueSchema })),
      { description: 'One series per name asked for, oldest first; candles still in an indicator’s warm-up have no entry.' },
    ),
  },
  { $id: 'IndicatorSeries' },
);

/**
 * A copy without `$id`: the serializer refuses a schema `$id` that appears in more than one place
 * of a route's response, which a union of two movers shapes would otherwise do.
 */
export function inline<T extends TSchema>(schema: T): T {
  const { $id: _id, ...rest } = schema;
  return rest as T;
}

const WindowStatsSchema = Type.Object(
  {
    symbol: Type.String(),
    price: Type.Number({ description: 'Last trade price.' }),
    reference: Type.Number({ description: 'Price when the window began.' }),
    change: Type.Number(),
    changePercent: Type.Number(),
    volume: Type.Number({ description: 'Shares traded in the window.' }),
    trades: Type.Integer(),
    averageVolume: Type.Union([Type.Number(), Type.Null()], { description: 'Mean volume of up to 5 previous windows of the same length.' }),
    volumeRatio: Type.Union([Type.Number(), Type.Null()], { description: 'volume / averageVolume.' }),
    from: Type.Integer({ description: 'Window start, epoch ms (market time).' }),
    to: Type.Integer({ description: 'Window end (exclusive), epoch ms.' }),
  },
  { title: 'WindowStats' },
);

export const WindowQuery = Type.Union(MOVER_WINDOW_NAMES.map((w) => Type.Literal(w)), { [ERROR_CODE]: 'INVALID_WINDOW', description: 'Movers over the last 1m, 5m, 1h, or the UTC day so far, from the analytics role. Without it: the day’s movers from quotes.' });

export const WindowMoversSchema = Type.Object(
  {
    window: Type.String(),
    gainers: Type.Array(WindowStatsSchema),
    losers: Type.Array(WindowStatsSchema),
    mostActive: Type.Array(WindowStatsSchema),
    unusualVolume: Type.Array(WindowStatsSchema, { description: 'Volume at least twice its recent average, highest ratio first.' }),
  },
  { title: 'WindowMovers' },
);
