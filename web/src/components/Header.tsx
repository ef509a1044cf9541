import { useDashboard } from '../hooks/context.js';
import { useUi } from '../hooks/useUi.js';

const STATUS_TEXT = { idle: 'Starting', connecting: 'Connecting', open: 'Live', reconnecting: 'Reconnecting', closed: 'Disconnected' } as const;

export function Header() {
  const dashboard = useDashboard();
  const status = useUi((s) => s.status);
  const paused = useUi((s) => s.paused);
  const theme = useUi((s) => s.theme);
  const next = theme === 'dark' ? 'light' : 'dark';
  return (
    <header className="header">
      <h1 className="brand">
        <svg aria-hidden="true" viewBox="0 0 32 32" width="22" height="22">
          <polyline points="4,22 11,15 16,19 22,9 28,13" fill="none" stroke="currentColor" strokeWidth="3" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
        tickstream
      </h1>
      <p className="status-badge" data-status={status} role="status" aria-label={`Connection: ${STATUS_TEXT[status]}`}>
        <span className="dot" aria-hidden="true" />
        {STATUS_TEXT[status]}
        {paused && <span className="paused-tag"> · paused</span>}
      </p>
      <div className="header-actions">
        <button type="button" onClick={() => dashboard.prefs.toggleTheme()} aria-label={`Switch to ${next} theme`} title={`Switch to ${next} theme (t)`}>
          <span aria-hidden="true">{theme === 'dark' ? '☀' : '☾'}</span>
          <span className="label-wide">{next === 'light' ? 'Light' : 'Dark'}</span>
        </button>
        <button type="button" onClick={() => dashboard.prefs.setHelp(true)} aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)">
          ?
        </button>
      </div>
    </header>
  );
}
