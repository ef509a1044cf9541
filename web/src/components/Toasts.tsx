import { useDashboard } from '../hooks/context.js';
import { useUi } from '../hooks/useUi.js';

/** Alerts and fills as they happen, announced politely: a screen reader finishes its sentence first. */
export function Toasts() {
  const dashboard = useDashboard();
  const toasts = useUi((s) => s.toasts);
  return (
    <div className="toasts" role="region" aria-label="Notifications" aria-live="polite" aria-relevant="additions">
      {toasts.map((t) => (
        <div key={t.id} className="toast" role="status" data-testid="toast">
          <strong>{t.title}</strong>
          <p>{t.text}</p>
          <button type="button" onClick={() => dashboard.notices.dismissToast(t.id)} aria-label="Dismiss notification">
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
