import { getStandardDeviation, pushUpdate } from 'trading-signals';

/**
 * Rolling volatility: the population standard deviation of the last `period` log returns of the
 * close, per candle (not annualised). trading-signals has no streaming form of it, so this keeps
 * the closes with the library's own `pushUpdate` (the same replace-last rule its indicators use)
 * and its `getStandardDeviation`.
 */
export class RollingVolatility {
  private readonly closes: number[] = [];

  constructor(readonly period: number) {}

  update(close: number, replace: boolean): number | null {
    pushUpdate({ array: this.closes, item: close, maxLength: this.period + 1, replace });
    if (this.closes.length <= this.period) return null;
    const returns: number[] = [];
    for (let i = 1; i < this.closes.length; i++) returns.push(Math.log(this.closes[i]! / this.closes[i - 1]!));
    return getStandardDeviation(returns);
  }
}
