import { OVERLAYS } from '../app/overlay-kinds.js';
import { useDashboard } from '../hooks/context.js';
import { useUi } from '../hooks/useUi.js';

/** The chart's indicator menu: each choice is remembered and subscribed on the socket. */
export function IndicatorMenu() {
  const dashboard = useDashboard();
  const overlays = useUi((s) => s.overlays);
  return (
    <details className="indicator-menu" data-testid="indicator-menu">
      <summary title="Moving averages, Bollinger band, RSI and MACD on the chart">Indicators{overlays.length > 0 ? ` (${overlays.length})` : ''}</summary>
      <fieldset>
        <legend className="sr-only">Indicators on the chart</legend>
        {OVERLAYS.map((o) => (
          <label key={o.name}>
            <input type="checkbox" name="overlay" value={o.name} checked={overlays.includes(o.name)} onChange={(e) => dashboard.overlays.toggle(o.name, e.target.checked)} />
            <span>{o.label}</span>
            {o.place === 'pane' && <span className="muted"> · pane</span>}
          </label>
        ))}
      </fieldset>
    </details>
  );
}
