import { useDashboard } from '../hooks/context.js';
import { useUi } from '../hooks/useUi.js';
import { price } from '../lib/format.js';

export function AlertList() {
  const dashboard = useDashboard();
  const alerts = useUi((s) => s.account.alerts);
  if (alerts.length === 0) return <p className="muted">No alerts yet.</p>;
  return (
    <ul className="alerts" aria-label="Your alerts">
      {alerts.map((a) => {
        const name = `${a.symbol} ${a.condition.replace('_', ' ')} ${a.threshold}`;
        return (
          <li key={a.id} data-status={a.status}>
            <span className="alert-name">{name}</span>
            <span className={`tag tag-${a.status}`}>{a.status}</span>
            {a.triggeredPrice != null && <span className="muted">at {price(a.triggeredPrice)}</span>}
            {a.note && <span className="muted">{a.note}</span>}
            <button type="button" aria-label={`Delete alert ${name}`} onClick={() => void dashboard.account.deleteAlert(a)}>
              Delete
            </button>
          </li>
        );
      })}
    </ul>
  );
}
