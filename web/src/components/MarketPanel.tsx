import { useDashboard } from '../hooks/context.js';
import { useMovers } from '../hooks/useMovers.js';
import { compact, percent, price } from '../lib/format.js';
import type { Quote } from '../lib/types.js';

function MoverList({ title, quotes, show }: { title: string; quotes: readonly Quote[]; show: 'change' | 'volume' }) {
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

/** Top gainers, losers and most active of the day, polled from /api/v1/movers. */
export function MarketPanel() {
  const { movers, error } = useMovers();
  return (
    <section className="panel market" aria-labelledby="market-title">
      <h2 id="market-title">Market</h2>
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
