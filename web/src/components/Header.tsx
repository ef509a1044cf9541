import { useDashboard } from '../hooks/context.js';
import { useUi } from '../hooks/useUi.js';
import { count } from '../lib/format.js';
import type { StreamNote } from '../app/state.js';

function noteText(note: StreamNote): string {
  switch (note.kind) {
    case 'resumed':
      return note.replayed > 0 ? `Resumed — ${count(note.replayed)} ticks replayed, no gap` : 'Resumed — nothing missed';
    case 'historyLost':
      return `History lost for ${note.symbols.join(', ')} — fresh snapshot`;
    case 'signedOut':
      return 'Signed out — streaming anonymously';
  }
}

const STATUS_TEXT = { idle: 'Starting', connecting: 'Connecting', open: 'Live', reconnecting: 'Reconnecting', closed: 'Disconnected' } as const;

export function Header() {
  const dashboard = useDashboard();
  const status = useUi((s) => s.status);
  const paused = useUi((s) => s.paused);
  const theme = useUi((s) => s.theme);
  const note = useUi((s) => s.streamNote);
  const highFrequency = useUi((s) => s.view.highFrequency);
  const logOpen = useUi((s) => s.view.logOpen);
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
      {note && (
        <p className={`stream-note note-${note.kind}`} data-testid="stream-note" data-kind={note.kind}>
          {noteText(note)}
        </p>
      )}
      <div className="header-actions">
        <button type="button" aria-pressed={highFrequency} onClick={() => dashboard.prefs.setView({ highFrequency: !highFrequency })} title="High-frequency mode: sampled log, calmer flashes (Ctrl+H)">
          HF
          <span className="label-wide">mode</span>
        </button>
        <button type="button" aria-pressed={logOpen} aria-controls="activity" onClick={() => dashboard.prefs.setView({ logOpen: !logOpen })} title="Show or hide the activity log (Ctrl+L)">
          Log
        </button>
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
