import { INTERVAL_NAMES } from '../lib/types.js';
import { CHART_WINDOWS } from '../app/state.js';
import { useDashboard } from '../hooks/context.js';
import { useUi } from '../hooks/useUi.js';
import { PriceChart } from './PriceChart.js';
import { IndicatorMenu } from './IndicatorMenu.js';

const INTERVAL_LABEL = { '1s': '1 second', '1m': '1 minute', '5m': '5 minutes', '1h': '1 hour' } as const;
const WINDOW_LABEL = { '1m': 'Last minute', '5m': 'Last 5 minutes', '15m': 'Last 15 minutes', '30m': 'Last 30 minutes', '1h': 'Last hour', all: 'Everything loaded' } as const;

export function ChartPanel() {
  const dashboard = useDashboard();
  const selected = useUi((s) => s.selected);
  const interval = useUi((s) => s.interval);
  const chartType = useUi((s) => s.chartType);
  const chartWindow = useUi((s) => s.view.chartWindow);
  const chartPaused = useUi((s) => s.chartPaused);
  return (
    <section className="panel chart-panel" id="chart-panel" aria-labelledby="chart-title" tabIndex={-1}>
      <div className="panel-head">
        <h2 id="chart-title">{selected ? `${selected} chart` : 'Chart'}</h2>
        <div className="chart-controls">
          <fieldset className="segmented">
            <legend className="sr-only">Interval</legend>
            {INTERVAL_NAMES.map((i) => (
              <label key={i} title={INTERVAL_LABEL[i]}>
                <input type="radio" name="interval" value={i} checked={interval === i} onChange={() => dashboard.watchlist.setInterval(i)} />
                <span>{i}</span>
              </label>
            ))}
          </fieldset>
          <label className="window-select">
            <span className="sr-only">Time window</span>
            <select value={chartWindow} onChange={(e) => dashboard.chartView.setWindow(e.target.value as (typeof CHART_WINDOWS)[number])} aria-label="Time window">
              {CHART_WINDOWS.map((w) => (
                <option key={w} value={w}>
                  {WINDOW_LABEL[w]}
                </option>
              ))}
            </select>
          </label>
          <fieldset className="segmented">
            <legend className="sr-only">Chart type</legend>
            {(['candles', 'line'] as const).map((t) => (
              <label key={t}>
                <input type="radio" name="chart-type" value={t} checked={chartType === t} onChange={() => dashboard.watchlist.setChartType(t)} />
                <span>{t === 'candles' ? 'Candles' : 'Line'}</span>
              </label>
            ))}
          </fieldset>
          <IndicatorMenu />
          <button type="button" aria-pressed={chartPaused} onClick={() => dashboard.chartView.setPaused(!chartPaused)} title="Freeze the chart; prices elsewhere keep moving">
            {chartPaused ? 'Resume chart' : 'Pause chart'}
          </button>
          <button type="button" onClick={() => dashboard.chartView.resetZoom()} title="Reset zoom (0)">
            Reset zoom
          </button>
        </div>
      </div>
      {selected ? <PriceChart /> : <p className="muted">Add a symbol to the watchlist to see its chart.</p>}
    </section>
  );
}
