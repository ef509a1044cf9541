import { useDashboard } from '../hooks/context.js';
import { useMovers } from '../hooks/useMovers.js';
import { compact, percent, price } from '../lib/format.js';
import type { Quote } from '../lib/types.js';
import { useUi } from '../hooks/useUi.js';
import { MOVERS_WINDOWS } from '../app/state.js';

const WINDOW_TITLE = { '1m': 'Last minute', '5m': 'Last 5 minutes', '1h': 'Last hour', day: 'Today' } as const;

/** Movers fields the list shows: quotes (the day's) and window stats both have them. */
type MoverRow = Pick<Quote, 'symbol' | 'price' | 'changePercent' | 'volume'>;

function MoverList({ title, quotes, show }: { title: string; quotes: readonly MoverRow[]; show: 'change' | 'volume' }) {
  const dashboard = useDashboard();
  const id = `movers-${title.toLowerCase().replace(/\s+/g, '-')}`;
  return (
    <div className="movers">
      <h3 id={id}>{title}</h3>
      <ol aria-labelledby={id}>
        {quotes.map((q) => (
          <li key={q.symbol}>
            <button
              type="button"
              className="mover"
              onClick={() => {
                dashboard.watchlist.add(q.symbol);
                dashboard.watchlist.select(q.symbol);
              }}
              title={`Show ${q.symbol}`}
            >
              <span className="mover-symbol">{q.symbol}</span>
              <span className="mover-price">{price(q.price)}</span>
              {show === 'change' ? (
                <span className={q.changePercent > 0 ? 'up' : q.changePercent < 0 ? 'down' : ''}>{percent(q.changePercent)}</span>
              ) : (
                <span>{compact(q.volume)}</span>
              )}
            </button>
          </li>
        ))}
      </ol>
    </div>
  );
}

/** Top gainers, losers and most active of the day or of a window (remembered), polled from /api/v1/movers. */
export function MarketPanel() {
  const dashboard = useDashboard();
  const { movers, error } = useMovers();
  const window = useUi((s) => s.view.moversWindow);
  return (
    <section className="panel market" aria-labelledby="market-title" data-movers-window={window}>
      <div className="market-head">
        <h2 id="market-title">Market</h2>
        <fieldset className="segmented">
          <legend className="sr-only">Movers window</legend>
          {MOVERS_WINDOWS.map((w) => (
            <label key={w} title={WINDOW_TITLE[w]}>
              <input type="radio" name="movers-window" value={w} aria-label={`Movers: ${WINDOW_TITLE[w]}`} checked={window === w} onChange={() => dashboard.prefs.setView({ moversWindow: w })} />
              <span>{w}</span>
            </label>
          ))}
        </fieldset>
      </div>
      {error && <p className="field-error">Movers unavailable: {error}</p>}
      {!movers && !error && <p className="muted">Loading…</p>}
      {movers && (
        <div className="movers-grid">
          <MoverList title="Top gainers" quotes={movers.gainers} show="change" />
          <MoverList title="Top losers" quotes={movers.losers} show="change" />
          <MoverList title="Most active" quotes={movers.mostActive} show="volume" />
        </div>
      )}
    </section>
  );
}
