import { memo } from 'react';
import { useDashboard } from '../hooks/context.js';
import { useQuote } from '../hooks/useUi.js';
import { percent, price, signed } from '../lib/format.js';
import { Sparkline } from './Sparkline.js';

/** One watchlist symbol: last price, change, day range, trend; flashes green or red on each update. */
export const SymbolCard = memo(function SymbolCard({ symbol, selected }: { symbol: string; selected: boolean }) {
  const dashboard = useDashboard();
  const quote = useQuote(symbol);
  const direction = quote ? (quote.direction > 0 ? 'up' : quote.direction < 0 ? 'down' : 'flat') : 'flat';
  const changeClass: 'up' | 'down' | '' = quote && quote.change > 0 ? 'up' : quote && quote.change < 0 ? 'down' : '';
  // Two animation names taking turns restart the flash on every update without touching the DOM.
  const flash = quote && quote.updates > 1 && direction !== 'flat' ? `flash-${direction}-${quote.updates % 2}` : undefined;
  return (
    <li className={`card${selected ? ' selected' : ''}`} data-symbol={symbol} data-direction={direction} aria-label={symbol}>
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
      <p className={`card-price ${flash ?? ''}`} data-testid={`price-${symbol}`} data-seq={quote?.seq ?? ''}>
        {price(quote?.price)}
        <span className={`arrow ${direction}`} aria-hidden="true">
          {direction === 'up' ? '▲' : direction === 'down' ? '▼' : ''}
        </span>
      </p>
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
