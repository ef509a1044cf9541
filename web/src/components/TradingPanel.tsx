import { useState } from 'react';
import { useDashboard } from '../hooks/context.js';
import { useMarkedPortfolio, useTrading } from '../hooks/useTrading.js';
import { useUi } from '../hooks/useUi.js';
import { signedUsd, tone, usd } from '../lib/format.js';
import { Fills } from './Fills.js';
import { OpenOrders } from './OpenOrders.js';
import { OrderTicket } from './OrderTicket.js';
import { Positions } from './Positions.js';
import '../trading.css';

/** Cash, buying power, equity and P&L, equity and P&L moving with the live prices. */
function PortfolioSummary() {
  const portfolio = useMarkedPortfolio();
  const items: [string, string, string, string][] = portfolio
    ? [
        ['Cash', usd(portfolio.cash), '', 'cash'],
        ['Buying power', usd(portfolio.buyingPower), '', 'buying-power'],
        ['Equity', usd(portfolio.equity), '', 'equity'],
        ['Day P&L', signedUsd(portfolio.dayPnl), tone(portfolio.dayPnl), 'day-pnl'],
        ['Total P&L', signedUsd(portfolio.totalPnl), tone(portfolio.totalPnl), 'total-pnl'],
      ]
    : [];
  if (!portfolio) return <p className="muted">Loading the portfolio…</p>;
  return (
    <dl className="portfolio-summary" aria-label="Portfolio summary">
      {items.map(([label, value, cls, id]) => (
        <div key={id} data-testid={`portfolio-${id}`}>
          <dt>{label}</dt>
          <dd className={cls}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Resetting throws away every position, order and fill: it asks once more, in the page. */
function ResetPortfolio() {
  const dashboard = useDashboard();
  const busy = useTrading((s) => s.busy);
  const [confirming, setConfirming] = useState(false);
  if (!confirming)
    return (
      <button type="button" onClick={() => setConfirming(true)} disabled={busy}>
        Reset portfolio
      </button>
    );
  return (
    <div className="row" role="group" aria-label="Confirm portfolio reset">
      <span>Start over with the starting cash?</span>
      <button
        type="button"
        className="danger"
        disabled={busy}
        onClick={() => void dashboard.trading.reset().then(() => setConfirming(false))}
      >
        Yes, reset
      </button>
      <button type="button" onClick={() => setConfirming(false)} autoFocus>
        Keep portfolio
      </button>
    </div>
  );
}

/** Paper trading, for signed-in users only: the ticket, open orders, positions and fills. */
export function TradingPanel() {
  const accounts = useUi((s) => s.account.available);
  const trades = useTrading((s) => s.available);
  const signedIn = useUi((s) => s.account.session !== undefined);
  if (!accounts || !trades || !signedIn) return null;
  return (
    <section className="panel trading" id="trading" aria-labelledby="trading-title">
      <div className="panel-head">
        <h2 id="trading-title">Paper trading</h2>
        <ResetPortfolio />
      </div>
      <PortfolioSummary />
      <div className="trading-grid">
        <OrderTicket />
        <div className="trading-lists">
          <OpenOrders />
          <Positions />
          <Fills />
        </div>
      </div>
    </section>
  );
}
