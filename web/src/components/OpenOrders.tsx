import { useDashboard } from '../hooks/context.js';
import { useTrading } from '../hooks/useTrading.js';
import { price } from '../lib/format.js';
import { orderName } from '../lib/order-ticket.js';

/** The signed-in user's open orders (new, accepted, partially filled), each with a cancel button. */
export function OpenOrders() {
  const dashboard = useDashboard();
  const orders = useTrading((s) => s.openOrders);
  const canceling = useTrading((s) => s.canceling);
  return (
    <section className="trading-part" aria-labelledby="open-orders-title">
      <h3 id="open-orders-title">Open orders</h3>
      {orders.length === 0 ? (
        <p className="muted" data-testid="no-open-orders">
          No open orders.
        </p>
      ) : (
        <div className="table-scroll" tabIndex={0} role="group" aria-labelledby="open-orders-title">
          <table className="trading-table" aria-label="Open orders">
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Side</th>
                <th scope="col">Symbol</th>
                <th scope="col">Type</th>
                <th scope="col" className="num">Filled</th>
                <th scope="col" className="num">Limit</th>
                <th scope="col" className="num">Stop</th>
                <th scope="col">TIF</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="sr-only">Cancel</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {orders.map((o) => (
                <tr key={o.id} data-testid={`open-order-${o.id}`} data-status={o.status}>
                  <th scope="row">#{o.id}</th>
                  <td className={o.side === 'buy' ? 'up' : 'down'}>{o.side}</td>
                  <td>{o.symbol}</td>
                  <td>{o.type.replace('_', '-')}</td>
                  <td className="num">
                    {o.filledQuantity}/{o.quantity}
                  </td>
                  <td className="num">{o.limitPrice === null ? '—' : price(o.limitPrice)}</td>
                  <td className="num">{o.stopPrice === null ? '—' : price(o.stopPrice)}</td>
                  <td>{o.timeInForce}</td>
                  <td>{o.status.replace('_', ' ')}</td>
                  <td>
                    <button type="button" disabled={canceling.has(o.id)} aria-label={`Cancel order #${o.id}: ${orderName(o)}`} onClick={() => void dashboard.trading.cancel(o)}>
                      {canceling.has(o.id) ? 'Canceling…' : 'Cancel'}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
