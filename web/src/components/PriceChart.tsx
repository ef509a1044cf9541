import { useEffect, useRef } from 'react';
import { CandlestickSeries, createChart, HistogramSeries, LineSeries, type IChartApi, type ISeriesApi, type Time, type UTCTimestamp } from 'lightweight-charts';
import type { Candle } from '../lib/types.js';
import { useDashboard } from '../hooks/context.js';
import { useUi } from '../hooks/useUi.js';

interface Series {
  readonly chart: IChartApi;
  readonly candles: ISeriesApi<'Candlestick'>;
  readonly line: ISeriesApi<'Line'>;
  readonly volume: ISeriesApi<'Histogram'>;
}

/** lightweight-charts draws in UTC: shift by the local offset so the axis shows local time. */
const toTime = (ms: number): Time => ((ms - new Date(ms).getTimezoneOffset() * 60_000) / 1000) as UTCTimestamp;

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
  const { market } = dashboard;
  const theme = useUi((s) => s.theme);
  const chartType = useUi((s) => s.chartType);
  const interval = useUi((s) => s.interval);
  const host = useRef<HTMLDivElement>(null);
  const series = useRef<Series | undefined>(undefined);

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

    const volumeColor = (c: Candle): string => (c.close >= c.open ? `${up}66` : `${down}66`);
    const draw = (): void => {
      const state = market.chart;
      const s = series.current;
      if (!state || !s) return;
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
    };
    market.invalidateChart();
    const unsubscribe = market.subscribeChart(draw);
    draw();
    return () => {
      unsubscribe();
      series.current = undefined;
      chart.remove();
    };
  }, [market, theme]);

  useEffect(() => {
    const s = series.current;
    if (!s) return;
    s.candles.applyOptions({ visible: chartType === 'candles' });
    s.line.applyOptions({ visible: chartType === 'line' });
  }, [chartType, theme]);

  useEffect(() => {
    series.current?.chart.applyOptions({ timeScale: { secondsVisible: interval === '1s' } });
  }, [interval, theme]);

  return <div ref={host} className="chart" data-testid="chart" role="figure" aria-label="Price chart" data-chart-type={chartType} />;
}
