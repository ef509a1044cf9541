/**
 * The indicators tickstream computes, and their names on the wire: `sma:20`, `ema:50`, `rsi:14`,
 * `macd:12:26:9`, `bb:20:2`, `vwap`, `atr:14`, `vol:20`. A name is also its key in every stored
 * point, REST series and WebSocket update, so a client asks for exactly what it later reads.
 */
export interface IndicatorSpec {
  /** Periods of the simple and exponential moving averages, e.g. 9, 20, 50, 200. */
  readonly smaPeriods: readonly number[];
  readonly emaPeriods: readonly number[];
}

export const FIXED_INDICATORS = {
  rsi: 'rsi:14',
  macd: 'macd:12:26:9',
  bollinger: 'bb:20:2',
  vwap: 'vwap',
  atr: 'atr:14',
  volatility: 'vol:20',
} as const;

export const DEFAULT_INDICATOR_SPEC: IndicatorSpec = { smaPeriods: [9, 20, 50, 200], emaPeriods: [9, 20, 50, 200] };

export interface MacdValue {
  macd: number;
  signal: number;
  histogram: number;
}

export interface BandsValue {
  upper: number;
  middle: number;
  lower: number;
}

export type IndicatorValue = number | MacdValue | BandsValue;

/** Values of one candle by indicator name; an indicator still warming up has no entry. */
export type IndicatorValues = Record<string, IndicatorValue>;

/** Every name computed under `spec`, moving averages first. */
export function indicatorNames(spec: IndicatorSpec): string[] {
  return [...spec.smaPeriods.map((p) => `sma:${p}`), ...spec.emaPeriods.map((p) => `ema:${p}`), ...Object.values(FIXED_INDICATORS)];
}

/**
 * Splits a client's `names` list (`sma:20,ema:50,rsi:14`) and checks each against what is
 * computed. Returns the names in the order asked, without repeats, or the first unknown one.
 */
export function parseIndicatorNames(raw: string, spec: IndicatorSpec): { names: string[] } | { unknown: string } {
  const known = new Set(indicatorNames(spec));
  const names: string[] = [];
  for (const part of raw.split(',')) {
    const name = part.trim().toLowerCase();
    if (name === '') continue;
    if (!known.has(name)) return { unknown: name };
    if (!names.includes(name)) names.push(name);
  }
  return { names };
}
