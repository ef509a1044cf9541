import { useDashboard } from '../hooks/context.js';
import { useNow } from '../hooks/useNow.js';
import { useUi } from '../hooks/useUi.js';
import { count, duration, millis } from '../lib/format.js';

/** The socket's health: status, rate, latency percentiles, reconnects, uptime. */
export function ConnectionPanel() {
  const dashboard = useDashboard();
  const { socket, stats } = dashboard;
  const status = useUi((s) => s.status);
  const retryAt = useUi((s) => s.retryAt);
  const now = useNow(1000);
  const rows: [string, string, string][] = [
    ['Status', status === 'reconnecting' && retryAt ? `reconnecting (next try in ${Math.max(0, (retryAt - now) / 1000).toFixed(0)} s)` : status, 'status'],
    ['Messages/s', stats.rate(now).toFixed(1), 'rate'],
    ['Latency p50', millis(stats.percentile(0.5)), 'p50'],
    ['Latency p99', millis(stats.percentile(0.99)), 'p99'],
    ['Reconnects', String(socket.reconnects), 'reconnects'],
    ['Uptime', socket.connectedAt !== undefined ? duration(now - socket.connectedAt) : '—', 'uptime'],
    ['Ticks received', count(stats.total), 'total'],
    ['Ping', millis(socket.rttMs), 'rtt'],
  ];
  return (
    <section className="panel connection" aria-labelledby="connection-title">
      <div className="panel-head">
        <h2 id="connection-title">Connection</h2>
        <button type="button" onClick={() => dashboard.stream.toggleConnection()}>
          {status === 'closed' ? 'Connect' : 'Disconnect'}
        </button>
      </div>
      <dl className="stats">
        {rows.map(([label, value, key]) => (
          <div key={key} data-testid={`conn-${key}`}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
