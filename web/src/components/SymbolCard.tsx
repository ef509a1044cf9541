import { memo, useRef } from 'react';
import { useDashboard } from '../hooks/context.js';
import { useQuote, useUi } from '../hooks/useUi.js';
import { percent, price, signed } from '../lib/format.js';
import { Sparkline } from './Sparkline.js';

const CALM_FLASH_MS = 500;

/**
 * The tint to show: the store's, or in high-frequency mode a new tint at most every
 * {@link CALM_FLASH_MS}, so a fast symbol's card does not strobe. Clearing is never held back.
 */
function useCalmFlash(flash: 1 | -1 | 0, calm: boolean): 1 | -1 | 0 {
  const last = useRef<{ shown: 1 | -1 | 0; at: number }>({ shown: 0, at: -Infinity });
  if (flash !== last.current.shown) {
    const now = performance.now();
    if (flash === 0) last.current = { shown: 0, at: last.current.at };
    else if (!calm || now - last.current.at >= CALM_FLASH_MS) last.current = { shown: flash, at: now };
  }
  return last.current.shown;
}

/** One watchlist symbol: last price, change, day range, trend; tinted green or red for a moment after each move. */
export const SymbolCard = memo(function SymbolCard({ symbol, selected }: { symbol: string; selected: boolean }) {
  const dashboard = useDashboard();
  const quote = useQuote(symbol);
  const stale = useUi((s) => s.stale.has(symbol));
  const calm = useUi((s) => s.view.highFrequency);
  const tint = useCalmFlash(quote?.flash ?? 0, calm);
  const direction = quote ? (quote.direction > 0 ? 'up' : quote.direction < 0 ? 'down' : 'flat') : 'flat';
  const changeClass: 'up' | 'down' | '' = quote && quote.change > 0 ? 'up' : quote && quote.change < 0 ? 'down' : '';
  const flash = stale || tint === 0 ? undefined : tint > 0 ? 'flash-up' : 'flash-down';
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
