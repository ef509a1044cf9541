import { useUi } from '../hooks/useUi.js';
import { AddSymbolForm } from './AddSymbolForm.js';
import { SymbolCard } from './SymbolCard.js';

export function Watchlist() {
  const watchlist = useUi((s) => s.watchlist);
  const selected = useUi((s) => s.selected);
  return (
    <section className="panel watchlist" aria-labelledby="watchlist-title">
      <h2 id="watchlist-title">Watchlist</h2>
      <AddSymbolForm />
      {watchlist.length === 0 ? (
        <p className="muted">No symbols. Add one above.</p>
      ) : (
        <ul className="cards" aria-label="Watched symbols">
          {watchlist.map((s) => (
            <SymbolCard key={s} symbol={s} selected={s === selected} />
          ))}
        </ul>
      )}
    </section>
  );
}
