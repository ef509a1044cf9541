import { useMarkedPortfolio } from '../hooks/useTrading.js';
import { price, signedUsd, tone, usd } from '../lib/format.js';

/** Positions with live P&L: the server's portfolio re-marked at the page's latest prices. */
export function Positions() {
  const portfolio = useMarkedPortfolio();
  const positions = portfolio?.positions.filter((p) => p.quantity !== 0) ?? [];
  return (
    <section className="trading-part" aria-labelledby="positions-title">
      <h3 id="positions-title">Positions</h3>
      {positions.length === 0 ? (
        <p className="muted" data-testid="no-positions">
          No positions.
        </p>
      ) : (
        <div className="table-scroll" tabIndex={0} role="group" aria-labelledby="positions-title">
          <table className="trading-table" aria-label="Positions">
            <thead>
              <tr>
                <th scope="col">Symbol</th>
                <th scope="col" className="num">Quantity</th>
                <th scope="col" className="num">Avg cost</th>
                <th scope="col" className="num">Price</th>
                <th scope="col" className="num">Market value</th>
                <th scope="col" className="num">Unrealized P&amp;L</th>
                <th scope="col" className="num">Realized P&amp;L</th>
              </tr>
            </thead>
            <tbody>
              {positions.map((p) => (
                <tr key={p.symbol} data-testid={`position-${p.symbol}`}>
                  <th scope="row">{p.symbol}</th>
                  <td className="num" data-testid={`position-quantity-${p.symbol}`}>
                    {p.quantity}
                  </td>
                  <td className="num">{price(p.averageCost)}</td>
                  <td className="num">{p.price === null ? '—' : price(p.price)}</td>
                  <td className="num">{usd(p.marketValue)}</td>
                  <td className={`num ${tone(p.unrealizedPnl)}`} data-testid={`position-pnl-${p.symbol}`}>
                    {signedUsd(p.unrealizedPnl)}
                  </td>
                  <td className={`num ${tone(p.realizedPnl)}`}>{signedUsd(p.realizedPnl)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
