import { useDashboard } from '../hooks/context.js';
import { useUi } from '../hooks/useUi.js';
import { AddSymbolForm } from './AddSymbolForm.js';
import { SymbolCard } from './SymbolCard.js';
import { WatchTable } from './WatchTable.js';

export function Watchlist() {
  const dashboard = useDashboard();
  const watchlist = useUi((s) => s.watchlist);
  const selected = useUi((s) => s.selected);
  const view = useUi((s) => s.view.watchView);
  return (
    <section className="panel watchlist" aria-labelledby="watchlist-title">
      <div className="panel-head">
        <h2 id="watchlist-title">Watchlist</h2>
        <fieldset className="segmented">
          <legend className="sr-only">Watchlist view</legend>
          {(['table', 'cards'] as const).map((v) => (
            <label key={v} title={v === 'table' ? 'Dense table (v)' : 'Cards (v)'}>
              <input type="radio" name="watch-view" value={v} checked={view === v} onChange={() => dashboard.prefs.setView({ watchView: v })} />
              <span>{v === 'table' ? 'Table' : 'Cards'}</span>
            </label>
          ))}
        </fieldset>
      </div>
      <AddSymbolForm />
      {watchlist.length === 0 ? (
        <p className="muted">No symbols. Add one above.</p>
      ) : view === 'table' ? (
        <WatchTable />
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
