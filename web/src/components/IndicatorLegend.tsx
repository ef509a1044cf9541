import { useSyncExternalStore } from 'react';
import { OVERLAYS } from '../app/overlay-kinds.js';
import { useDashboard } from '../hooks/context.js';
import { useUi } from '../hooks/useUi.js';
import { price } from '../lib/format.js';
import type { IndicatorValue } from '../lib/indicators.js';

function describe(name: string, value: IndicatorValue | undefined): string {
  if (value === undefined) return 'warming up';
  if (typeof value === 'number') return name.startsWith('rsi:') ? value.toFixed(1) : price(value);
  if ('upper' in value) return `${price(value.lower)} – ${price(value.upper)}`;
  return `${value.macd.toFixed(3)} / ${value.signal.toFixed(3)}`;
}

/** The chosen indicators with their latest values, over the chart; `data-*` say what is drawn. */
export function IndicatorLegend() {
  const { indicators } = useDashboard();
  const overlays = useUi((s) => s.overlays);
  useSyncExternalStore(indicators.subscribe, () => indicators.version);
  if (overlays.length === 0) return null;
  return (
    <ul className="indicator-legend" data-testid="indicator-legend" aria-label="Indicators">
      {overlays.map((name) => {
        const points = indicators.points(name);
        const last = points[points.length - 1];
        const label = OVERLAYS.find((o) => o.name === name)?.label ?? name;
        return (
          <li key={name} data-indicator={name} data-points={points.length} data-last-time={last?.time ?? ''} data-last-value={last === undefined ? '' : JSON.stringify(last.value)}>
            {label} <span className="muted">{describe(name, last?.value)}</span>
          </li>
        );
      })}
    </ul>
  );
}
