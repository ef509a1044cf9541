import { useDashboard } from '../hooks/context.js';
import { useUi } from '../hooks/useUi.js';

/** Things the user should know about the stream (recovery, refused subscriptions), until dismissed. */
export function Notices() {
  const dashboard = useDashboard();
  const notices = useUi((s) => s.notices);
  return (
    <div className="notices" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.kind}`} data-testid="notice">
          <p>{n.text}</p>
          <button type="button" onClick={() => dashboard.notices.dismissNotice(n.id)} aria-label="Dismiss notice">
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
