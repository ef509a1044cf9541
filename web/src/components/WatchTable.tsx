import { memo, useMemo, useRef } from 'react';
import type { SortKey, TableSort } from '../app/state.js';
import { useDashboard } from '../hooks/context.js';
import { useNow } from '../hooks/useNow.js';
import { useQuote, useUi } from '../hooks/useUi.js';
import { compact, percent, price, signed } from '../lib/format.js';
import type { MarketStore } from '../lib/market.js';
import { Sparkline } from './Sparkline.js';

const COLUMNS: readonly { key: SortKey; label: string; numeric: boolean }[] = [
  { key: 'symbol', label: 'Symbol', numeric: false },
  { key: 'price', label: 'Last', numeric: true },
  { key: 'change', label: 'Chg', numeric: true },
  { key: 'changePercent', label: 'Chg %', numeric: true },
  { key: 'volume', label: 'Volume', numeric: true },
];

/** Rows in the chosen order; by a moving value the order is settled once a second, so rows do not jump on every tick. */
export function sortSymbols(symbols: readonly string[], sort: TableSort, market: Pick<MarketStore, 'quote'>): string[] {
  const value = (s: string): number | string => (sort.key === 'symbol' ? s : (market.quote(s)?.[sort.key] ?? -Infinity));
  const sign = sort.descending ? -1 : 1;
  return [...symbols].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    return (x < y ? -1 : x > y ? 1 : 0) * sign || a.localeCompare(b);
  });
}

const Row = memo(function Row({ symbol, selected }: { symbol: string; selected: boolean }) {
  const dashboard = useDashboard();
  const quote = useQuote(symbol);
  const stale = useUi((s) => s.stale.has(symbol));
  const tone = quote && quote.change > 0 ? 'up' : quote && quote.change < 0 ? 'down' : '';
  return (
    <tr className={`${selected ? 'selected' : ''}${stale ? ' stale' : ''}`} data-symbol={symbol} data-stale={stale} aria-selected={selected}>
      <th scope="row">
        <button type="button" className="row-select" aria-pressed={selected} onClick={() => dashboard.watchlist.select(symbol)} title={`Show ${symbol} on the chart`}>
          {symbol}
        </button>
        {stale && <span className="stale-tag"> stale</span>}
      </th>
      <td className="num" data-testid={`row-price-${symbol}`}>
        {price(quote?.price)}
        <span className={`arrow ${quote?.direction === 1 ? 'up' : quote?.direction === -1 ? 'down' : ''}`} aria-hidden="true">
          {quote?.direction === 1 ? '▲' : quote?.direction === -1 ? '▼' : ''}
        </span>
      </td>
      <td className={`num ${tone}`}>{signed(quote?.change)}</td>
      <td className={`num ${tone}`}>{percent(quote?.changePercent)}</td>
      <td className="num">{compact(quote?.volume)}</td>
      <td className="spark-cell">
        <Sparkline symbol={symbol} prices={quote?.spark ?? []} tone={tone === '' ? 'flat' : tone} />
      </td>
      <td>
        <button type="button" className="card-remove" aria-label={`Remove ${symbol}`} title={`Remove ${symbol}`} onClick={() => dashboard.watchlist.remove(symbol)}>
          ×
        </button>
      </td>
    </tr>
  );
});

/** The watchlist as a dense table: sortable by any column (click a header), the choice remembered. */
export function WatchTable() {
  const dashboard = useDashboard();
  const watchlist = useUi((s) => s.watchlist);
  const selected = useUi((s) => s.selected);
  const sort = useUi((s) => s.view.tableSort);
  const second = useNow(1000);
  const order = useRef<string[]>([]);
  // Re-sorted when the list or the sort changes, and once a second for moving values.
  order.current = useMemo(() => sortSymbols(watchlist, sort, dashboard.market), [watchlist, sort, dashboard.market, sort.key === 'symbol' ? 0 : second]);
  const sortBy = (key: SortKey): void => {
    const descending = sort.key === key ? !sort.descending : key !== 'symbol';
    dashboard.prefs.setView({ tableSort: { key, descending } });
  };
  return (
    <table className="watch-table" aria-label="Watched symbols">
      <thead>
        <tr>
          {COLUMNS.map((c) => (
            <th key={c.key} scope="col" className={c.numeric ? 'num' : ''} aria-sort={sort.key === c.key ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
              <button type="button" className="sort" onClick={() => sortBy(c.key)} data-testid={`sort-${c.key}`}>
                {c.label}
                <span aria-hidden="true">{sort.key === c.key ? (sort.descending ? ' ↓' : ' ↑') : ''}</span>
              </button>
            </th>
          ))}
          <th scope="col">
            <span className="sr-only">Trend</span>
          </th>
          <th scope="col">
            <span className="sr-only">Remove</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {order.current.map((s) => (
          <Row key={s} symbol={s} selected={s === selected} />
        ))}
      </tbody>
    </table>
  );
}
