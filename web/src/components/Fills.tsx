import { useTrading } from '../hooks/useTrading.js';
import { clock, price, usd } from '../lib/format.js';

/** The newest fills of the signed-in user: what traded, at which tick. */
export function Fills() {
  const fills = useTrading((s) => s.fills);
  return (
    <section className="trading-part" aria-labelledby="fills-title">
      <h3 id="fills-title">Fills</h3>
      {fills.length === 0 ? (
        <p className="muted" data-testid="no-fills">
          No fills yet.
        </p>
      ) : (
        <div className="table-scroll fills" tabIndex={0} role="group" aria-labelledby="fills-title">
          <table className="trading-table" aria-label="Fills">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Order</th>
                <th scope="col">Side</th>
                <th scope="col">Symbol</th>
                <th scope="col" className="num">Quantity</th>
                <th scope="col" className="num">Price</th>
                <th scope="col" className="num">Value</th>
                <th scope="col" className="num">Tick seq</th>
              </tr>
            </thead>
            <tbody>
              {fills.map((f) => (
                <tr key={f.id} data-testid="fill">
                  <td>
                    <time dateTime={f.ts}>{clock(Date.parse(f.ts))}</time>
                  </td>
                  <td>#{f.orderId}</td>
                  <td className={f.side === 'buy' ? 'up' : 'down'}>{f.side}</td>
                  <td>{f.symbol}</td>
                  <td className="num">{f.quantity}</td>
                  <td className="num">{price(f.price)}</td>
                  <td className="num">{usd(f.price * f.quantity)}</td>
                  <td className="num">{f.seq}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
