import { memo, useRef } from 'react';
import { useDashboard } from '../hooks/context.js';
import { useQuote, useUi } from '../hooks/useUi.js';
import { percent, price, signed } from '../lib/format.js';
import { Sparkline } from './Sparkline.js';

const CALM_FLASH_MS = 500;

/**
 * Which flash to show: a new one per update, or in high-frequency mode at most one every
 * {@link CALM_FLASH_MS}, so a fast symbol's card does not strobe.
 */
function useFlashKey(updates: number, calm: boolean): number {
  const last = useRef({ key: 0, at: 0, updates: 0 });
  if (updates !== last.current.updates) {
    const now = performance.now();
    if (!calm || now - last.current.at >= CALM_FLASH_MS) last.current = { key: last.current.key + 1, at: now, updates };
    else last.current.updates = updates;
  }
  return last.current.key;
}

/** One watchlist symbol: last price, change, day range, trend; flashes green or red on each update. */
export const SymbolCard = memo(function SymbolCard({ symbol, selected }: { symbol: string; selected: boolean }) {
  const dashboard = useDashboard();
  const quote = useQuote(symbol);
  const stale = useUi((s) => s.stale.has(symbol));
  const calm = useUi((s) => s.view.highFrequency);
  const flashKey = useFlashKey(quote?.updates ?? 0, calm);
  const direction = quote ? (quote.direction > 0 ? 'up' : quote.direction < 0 ? 'down' : 'flat') : 'flat';
  const changeClass: 'up' | 'down' | '' = quote && quote.change > 0 ? 'up' : quote && quote.change < 0 ? 'down' : '';
  // Two animation names taking turns restart the flash on every update without touching the DOM.
  const flash = quote && quote.updates > 1 && direction !== 'flat' && !stale ? `flash-${direction}-${flashKey % 2}` : undefined;
  return (
    <li className={`card${selected ? ' selected' : ''}${stale ? ' stale' : ''}`} data-symbol={symbol} data-direction={direction} data-stale={stale} aria-label={stale ? `${symbol} (stale)` : symbol}>
      <div className="card-top">
        <h3 className="card-symbol">
          <button type="button" className="card-select" aria-pressed={selected} onClick={() => dashboard.watchlist.select(symbol)} title={`Show ${symbol} on the chart`}>
            {symbol}
          </button>
        </h3>
        <button type="button" className="card-remove" aria-label={`Remove ${symbol}`} title={`Remove ${symbol}`} onClick={() => dashboard.watchlist.remove(symbol)}>
          ×
        </button>
      </div>
      <p className={`card-price ${flash ?? ''}`} data-testid={`price-${symbol}`} data-seq={quote?.seq ?? ''} data-ts={quote?.ts ?? ''}>
        {price(quote?.price)}
        <span className={`arrow ${direction}`} aria-hidden="true">
          {direction === 'up' ? '▲' : direction === 'down' ? '▼' : ''}
        </span>
      </p>
      {stale && (
        <p className="stale-tag" data-testid={`stale-${symbol}`}>
          stale
        </p>
      )}
      <p className={`card-change ${changeClass}`} data-testid={`change-${symbol}`}>
        {signed(quote?.change)} ({percent(quote?.changePercent)})
      </p>
      <p className="card-range">
        <span className="muted">Day</span> {price(quote?.low)} – {price(quote?.high)}
      </p>
      <Sparkline symbol={symbol} prices={quote?.spark ?? []} tone={changeClass === '' ? 'flat' : changeClass} />
    </li>
  );
});
