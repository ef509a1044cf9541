import { INTERVAL_NAMES } from '../lib/types.js';
import { useDashboard } from '../hooks/context.js';
import { useUi } from '../hooks/useUi.js';
import { PriceChart } from './PriceChart.js';

const INTERVAL_LABEL = { '1s': '1 second', '1m': '1 minute', '5m': '5 minutes', '1h': '1 hour' } as const;

export function ChartPanel() {
  const dashboard = useDashboard();
  const selected = useUi((s) => s.selected);
  const interval = useUi((s) => s.interval);
  const chartType = useUi((s) => s.chartType);
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
          <fieldset className="segmented">
            <legend className="sr-only">Chart type</legend>
            {(['candles', 'line'] as const).map((t) => (
              <label key={t}>
                <input type="radio" name="chart-type" value={t} checked={chartType === t} onChange={() => dashboard.watchlist.setChartType(t)} />
                <span>{t === 'candles' ? 'Candles' : 'Line'}</span>
              </label>
            ))}
          </fieldset>
        </div>
      </div>
      {selected ? <PriceChart /> : <p className="muted">Add a symbol to the watchlist to see its chart.</p>}
    </section>
  );
}
