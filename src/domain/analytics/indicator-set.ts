import { ATR, BollingerBands, EMA, MACD, RSI, SMA, VWAP } from 'trading-signals';
import type { CandleView } from '../candles.js';
import { utcDayStart } from '../daily-stats.js';
import { FIXED_INDICATORS, type IndicatorSpec, type IndicatorValues } from './catalogue.js';
import { RollingVolatility } from './rolling-volatility.js';

/**
 * Every indicator of one symbol on one candle interval, fed candle by candle.
 *
 * `update(candle, replace)`: `replace` is true while the candle is the one fed last and still
 * forming, so each tick recomputes the newest value in place (the library's replace mode)
 * instead of adding another candle. A candle's final value is therefore the value of its final
 * state, whatever ticks came before.
 *
 * Warm-up: an indicator reports nothing until it is stable (enough candles for its period; the
 * EMA, which the library seeds with the first close, likewise until `period` candles).
 * VWAP is per session (UTC day): it restarts with the first candle of a new day.
 */
export class IndicatorSet {
  private readonly sma: [string, SMA][];
  private readonly ema: [string, EMA][];
  private readonly rsi = new RSI(14);
  private readonly macd = new MACD(new EMA(12), new EMA(26), new EMA(9));
  private readonly bollinger = new BollingerBands(20, 2);
  private readonly atr = new ATR(14);
  private readonly volatility = new RollingVolatility(20);
  private vwap = new VWAP();
  private session: number | undefined;
  /** Whether the VWAP holds the newest candle: the library skips candles without volume. */
  private vwapHasNewest = false;

  constructor(spec: IndicatorSpec) {
    this.sma = spec.smaPeriods.map((p) => [`sma:${p}`, new SMA(p)]);
    this.ema = spec.emaPeriods.map((p) => [`ema:${p}`, new EMA(p)]);
  }

  update(candle: CandleView, replace: boolean): IndicatorValues {
    const values: IndicatorValues = {};
    const close = candle.close;
    for (const [name, sma] of this.sma) {
      const v = sma.update(close, replace);
      if (v !== null) values[name] = v;
    }
    for (const [name, ema] of this.ema) {
      ema.update(close, replace);
      if (ema.isStable) values[name] = ema.getResultOrThrow();
    }
    const rsi = this.rsi.update(close, replace);
    if (rsi !== null) values[FIXED_INDICATORS.rsi] = rsi;
    const macd = this.macd.update(close, replace);
    if (macd !== null) values[FIXED_INDICATORS.macd] = { macd: macd.macd, signal: macd.signal, histogram: macd.histogram };
    const bands = this.bollinger.update(close, replace);
    if (bands !== null) values[FIXED_INDICATORS.bollinger] = { upper: bands.upper, middle: bands.middle, lower: bands.lower };
    const atr = this.atr.update(candle, replace);
    if (atr !== null) values[FIXED_INDICATORS.atr] = atr;
    const volatility = this.volatility.update(close, replace);
    if (volatility !== null) values[FIXED_INDICATORS.volatility] = volatility;
    const vwap = this.updateVwap(candle, replace);
    if (vwap !== null) values[FIXED_INDICATORS.vwap] = vwap;
    return values;
  }

  private updateVwap(candle: CandleView, replace: boolean): number | null {
    const day = utcDayStart(candle.time);
    if (!replace && this.session !== day) {
      this.vwap = new VWAP();
      this.session = day;
    }
    if (!replace) this.vwapHasNewest = false;
    if (candle.volume > 0) {
      this.vwap.update(candle, this.vwapHasNewest);
      this.vwapHasNewest = true;
    }
    // A candle without volume leaves the session's value as it was.
    return this.vwap.getResult();
  }
}
