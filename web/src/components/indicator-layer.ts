import { HistogramSeries, LineSeries, LineStyle, type IChartApi, type ISeriesApi, type Time } from 'lightweight-charts';
import { OVERLAYS } from '../app/overlay-kinds.js';
import type { IndicatorStore, IndicatorValue } from '../lib/indicators.js';

/** Line colours per indicator: distinct from the candles' up/down and readable on both themes. */
const COLOR: Readonly<Record<string, string>> = {
  'sma:9': '#f5a623',
  'sma:20': '#ff7f0e',
  'sma:50': '#d62728',
  'ema:9': '#2ca02c',
  'ema:20': '#17becf',
  'ema:50': '#9467bd',
  'bb:20:2': '#8c9bb0',
  'rsi:14': '#c77dff',
  'macd:12:26:9': '#1f9bff',
};
const SIGNAL_COLOR = '#ff9f40';
/** Height of each pane under the prices, px. */
const PANE_HEIGHT = 110;

type Pick = (value: IndicatorValue) => number | undefined;
const scalar: Pick = (v) => (typeof v === 'number' ? v : undefined);
const field =
  (key: string): Pick =>
  (v) =>
    typeof v === 'object' ? (v as unknown as Record<string, number>)[key] : undefined;

interface Part {
  readonly series: ISeriesApi<'Line'> | ISeriesApi<'Histogram'>;
  readonly pick: Pick;
}

const placeOf = (name: string) => OVERLAYS.find((o) => o.name === name)?.place ?? 'price';

/**
 * The chosen indicators as series of a lightweight-charts chart: moving averages and the
 * Bollinger band over the prices, RSI and MACD each in a pane under them. `draw` makes the series
 * match the choice and sets their data from the store (a few hundred points each: cheap enough
 * once per frame with news).
 */
export class IndicatorLayer {
  private readonly drawn = new Map<string, Part[]>();
  /** Pane indicators in pane order (pane 1, 2, …). */
  private panes: string[] = [];

  constructor(
    private readonly chart: IChartApi,
    private readonly toTime: (ms: number) => Time,
  ) {}

  draw(store: IndicatorStore, chosen: readonly string[]): void {
    const panes = chosen.filter((n) => placeOf(n) === 'pane');
    // Pane indices follow the choice: when it changes, the pane series are made again in order.
    if (panes.join() !== this.panes.join()) for (const name of this.panes) this.remove(name);
    this.panes = panes;
    for (const name of [...this.drawn.keys()]) if (!chosen.includes(name)) this.remove(name);
    for (const name of chosen) {
      let parts = this.drawn.get(name);
      if (!parts) this.drawn.set(name, (parts = this.create(name)));
      const points = store.points(name);
      for (const { series, pick } of parts) {
        const data = points.flatMap((p) => {
          const value = pick(p.value);
          return value === undefined || !Number.isFinite(value) ? [] : [{ time: this.toTime(p.time), value }];
        });
        series.setData(data);
      }
    }
    this.pruneEmptyPanes();
    this.panes.forEach((_, i) => this.chart.panes()[i + 1]?.setHeight(PANE_HEIGHT));
  }

  private create(name: string): Part[] {
    const color = COLOR[name] ?? '#888888';
    const quiet = { lineWidth: 1, priceLineVisible: false, lastValueVisible: false, crosshairMarkerVisible: false } as const;
    const line = (pane: number, options: object = {}) => this.chart.addSeries(LineSeries, { ...quiet, color, ...options }, pane);
    if (name.startsWith('bb:')) {
      return [
        { series: line(0), pick: field('upper') },
        { series: line(0, { lineStyle: LineStyle.Dashed }), pick: field('middle') },
        { series: line(0), pick: field('lower') },
      ];
    }
    const pane = placeOf(name) === 'pane' ? this.panes.indexOf(name) + 1 : 0;
    if (name.startsWith('macd:')) {
      return [
        { series: this.chart.addSeries(HistogramSeries, { color: `${color}88`, priceLineVisible: false, lastValueVisible: false }, pane), pick: field('histogram') },
        { series: line(pane, { lastValueVisible: true }), pick: field('macd') },
        { series: line(pane, { color: SIGNAL_COLOR }), pick: field('signal') },
      ];
    }
    const series = line(pane, pane > 0 ? { lastValueVisible: true } : {});
    if (name.startsWith('rsi:')) {
      // The usual overbought and oversold levels.
      for (const price of [70, 30]) series.createPriceLine({ price, color: '#8c9bb0', lineWidth: 1, lineStyle: LineStyle.Dotted, axisLabelVisible: false, title: '' });
    }
    return [{ series, pick: scalar }];
  }

  private remove(name: string): void {
    for (const { series } of this.drawn.get(name) ?? []) this.chart.removeSeries(series);
    this.drawn.delete(name);
  }

  private pruneEmptyPanes(): void {
    const panes = this.chart.panes();
    for (let i = panes.length - 1; i >= 1; i--) if (panes[i]!.getSeries().length === 0) this.chart.removePane(i);
  }
}
