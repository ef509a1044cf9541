import { useEffect, useRef } from 'react';
import { CandlestickSeries, createChart, HistogramSeries, LineSeries, type CandlestickData, type IChartApi, type ISeriesApi, type MouseEventParams, type Time, type UTCTimestamp } from 'lightweight-charts';
import type { Candle } from '../lib/types.js';
import { WINDOW_MS } from '../app/chart-view.js';
import { useDashboard } from '../hooks/context.js';
import { useUi } from '../hooks/useUi.js';
import { clock, count, price as fmtPrice } from '../lib/format.js';
import { IndicatorLayer } from './indicator-layer.js';
import { IndicatorLegend } from './IndicatorLegend.js';

interface Series {
  readonly chart: IChartApi;
  readonly candles: ISeriesApi<'Candlestick'>;
  readonly line: ISeriesApi<'Line'>;
  readonly volume: ISeriesApi<'Histogram'>;
}

/** lightweight-charts draws in UTC: shift by the local offset so the axis shows local time. */
const toTime = (ms: number): Time => ((ms - new Date(ms).getTimezoneOffset() * 60_000) / 1000) as UTCTimestamp;
const fromTime = (time: Time): number => {
  const shifted = (time as number) * 1000;
  return shifted + new Date(shifted).getTimezoneOffset() * 60_000;
};

/** The crosshair legend: written straight into its element, it changes on every mouse move. */
function writeLegend(el: HTMLElement | null, c: Omit<Candle, 'trades'> | undefined): void {
  if (!el) return;
  if (!c) {
    el.textContent = '';
    return;
  }
  const change = c.close - c.open;
  el.dataset.direction = change > 0 ? 'up' : change < 0 ? 'down' : 'flat';
  el.textContent = `${clock(c.time)}  O ${fmtPrice(c.open)}  H ${fmtPrice(c.high)}  L ${fmtPrice(c.low)}  C ${fmtPrice(c.close)} ${change > 0 ? '▲' : change < 0 ? '▼' : ''}  V ${count(c.volume)}`;
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

function themeOptions() {
  return {
    layout: { background: { color: cssVar('--panel') }, textColor: cssVar('--muted'), attributionLogo: true },
    grid: { vertLines: { color: cssVar('--grid') }, horzLines: { color: cssVar('--grid') } },
    rightPriceScale: { borderColor: cssVar('--border') },
    timeScale: { borderColor: cssVar('--border') },
  };
}

/**
 * The selected symbol's candles (or close line) with volume below. Updates arrive once per
 * animation frame from the market store: only changed candles, or everything after a reset.
 */
export function PriceChart() {
  const dashboard = useDashboard();
  const { market, indicators } = dashboard;
  const theme = useUi((s) => s.theme);
  const chartType = useUi((s) => s.chartType);
  const interval = useUi((s) => s.interval);
  const chartPaused = useUi((s) => s.chartPaused);
  const chartWindow = useUi((s) => s.view.chartWindow);
  const stale = useUi((s) => s.selected !== undefined && s.stale.has(s.selected));
  const host = useRef<HTMLDivElement>(null);
  const legend = useRef<HTMLParagraphElement>(null);
  const series = useRef<Series | undefined>(undefined);
  const paused = useRef(chartPaused);
  const windowMs = useRef(WINDOW_MS[chartWindow]);
  /** Whether the crosshair is over a candle: then the legend shows that one, not the latest. */
  const hovering = useRef(false);

  useEffect(() => {
    const el = host.current!;
    const chart = createChart(el, { autoSize: true, ...themeOptions(), timeScale: { timeVisible: true, secondsVisible: true, rightOffset: 4 } });
    const up = cssVar('--up');
    const down = cssVar('--down');
    const candles = chart.addSeries(CandlestickSeries, { upColor: up, downColor: down, borderVisible: false, wickUpColor: up, wickDownColor: down });
    const line = chart.addSeries(LineSeries, { color: cssVar('--accent'), lineWidth: 2 });
    const volume = chart.addSeries(HistogramSeries, { priceScaleId: 'volume', priceFormat: { type: 'volume' }, lastValueVisible: false, priceLineVisible: false });
    chart.priceScale('volume').applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    chart.priceScale('right').applyOptions({ scaleMargins: { top: 0.08, bottom: 0.25 } });
    series.current = { chart, candles, line, volume };
    const layer = new IndicatorLayer(chart, toTime);
    /** What the layer last drew: indicator news, or another choice, draws again. */
    let drawn = { version: -1, overlays: '' };
    const drawIndicators = (force = false): void => {
      if (paused.current) return;
      const chosen = dashboard.ui.get().overlays;
      if (!force && drawn.version === indicators.version && drawn.overlays === chosen.join()) return;
      drawn = { version: indicators.version, overlays: chosen.join() };
      layer.draw(indicators, chosen);
      el.dataset.overlays = chosen.join(',');
    };

    const volumeColor = (c: Candle): string => (c.close >= c.open ? `${up}66` : `${down}66`);
    /** Shows the chosen window ending at the latest candle, or everything loaded. */
    const applyWindow = (): void => {
      const last = market.chart?.series.last;
      const span = windowMs.current;
      if (span === undefined || !last) chart.timeScale().fitContent();
      else chart.timeScale().setVisibleRange({ from: toTime(last.time - span), to: toTime(last.time) });
    };
    const onCrosshair = (param: MouseEventParams): void => {
      const bar = (param.time !== undefined ? param.seriesData.get(candles) : undefined) as CandlestickData | undefined;
      hovering.current = bar !== undefined;
      if (!bar || bar.open === undefined) {
        writeLegend(legend.current, market.chart?.series.last);
        return;
      }
      const v = param.seriesData.get(volume);
      writeLegend(legend.current, { time: fromTime(bar.time), open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: v && 'value' in v ? v.value : 0 });
    };
    chart.subscribeCrosshairMove(onCrosshair);
    const offReset = dashboard.chartView.onResetZoom(() => {
      windowMs.current = WINDOW_MS[dashboard.ui.get().view.chartWindow];
      applyWindow();
    });
    const draw = (): void => {
      const state = market.chart;
      const s = series.current;
      // Paused: changes pile up in the series and are drawn in one go on resume.
      if (!state || !s || paused.current) return;
      const changes = state.series.takeChanges();
      if (changes.reset) {
        s.candles.setData(changes.candles.map((c) => ({ time: toTime(c.time), open: c.open, high: c.high, low: c.low, close: c.close })));
        s.line.setData(changes.candles.map((c) => ({ time: toTime(c.time), value: c.close })));
        s.volume.setData(changes.candles.map((c) => ({ time: toTime(c.time), value: c.volume, color: volumeColor(c) })));
      } else {
        for (const c of changes.candles) {
          const time = toTime(c.time);
          s.candles.update({ time, open: c.open, high: c.high, low: c.low, close: c.close });
          s.line.update({ time, value: c.close });
          s.volume.update({ time, value: c.volume, color: volumeColor(c) });
        }
      }
      el.dataset.symbol = state.symbol;
      el.dataset.interval = state.interval;
      el.dataset.candles = String(state.series.length);
      el.dataset.loading = String(state.loading);
      const last = state.series.last;
      el.dataset.lastTime = last ? String(last.time) : '';
      el.setAttribute('aria-label', `${state.symbol} ${state.interval} chart: ${state.series.length} candles${last ? `, last close ${last.close}` : ''}`);
      if (!hovering.current) writeLegend(legend.current, last);
      if (changes.reset) applyWindow();
      drawIndicators(changes.reset);
    };
    market.invalidateChart();
    const unsubscribe = market.subscribeChart(draw);
    const offIndicators = indicators.subscribe(() => drawIndicators());
    const offOverlays = dashboard.ui.subscribe(() => drawIndicators());
    draw();
    drawIndicators(true);
    return () => {
      unsubscribe();
      offIndicators();
      offOverlays();
      offReset();
      chart.unsubscribeCrosshairMove(onCrosshair);
      series.current = undefined;
      chart.remove();
    };
  }, [dashboard, market, indicators, theme]);

  useEffect(() => {
    paused.current = chartPaused;
    if (!chartPaused) market.invalidateChart();
  }, [chartPaused, market]);

  useEffect(() => {
    const s = series.current;
    if (!s) return;
    s.candles.applyOptions({ visible: chartType === 'candles' });
    s.line.applyOptions({ visible: chartType === 'line' });
  }, [chartType, theme]);

  useEffect(() => {
    series.current?.chart.applyOptions({ timeScale: { secondsVisible: interval === '1s' } });
  }, [interval, theme]);

  return (
    <div className="chart-box">
      <div className="chart-legends">
        <p ref={legend} className="chart-legend" data-testid="chart-legend" aria-live="off" />
        <IndicatorLegend />
      </div>
      {(chartPaused || stale) && (
        <p className="chart-state" data-testid="chart-state">
          {chartPaused ? 'Paused' : 'Stale: no recent price'}
        </p>
      )}
      <div ref={host} className={`chart${stale ? ' stale' : ''}`} data-testid="chart" role="figure" aria-label="Price chart" data-chart-type={chartType} data-paused={chartPaused} data-stale={stale} />
    </div>
  );
}
