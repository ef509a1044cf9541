import { useEffect, useRef } from 'react';
import { useDashboard } from '../hooks/context.js';
import { useUi } from '../hooks/useUi.js';
import { SHORTCUTS } from '../lib/shortcuts.js';

/** The `?` overlay: a modal dialog listing every shortcut; Escape or the button closes it. */
export function ShortcutsOverlay() {
  const dashboard = useDashboard();
  const open = useUi((s) => s.helpOpen);
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={dialog} className="help" aria-labelledby="help-title" onClose={() => dashboard.prefs.setHelp(false)}>
      <h2 id="help-title">Keyboard shortcuts</h2>
      <p className="muted">Single keys, ignored while typing in a field; browser shortcuts keep working.</p>
      <dl className="keys">
        {SHORTCUTS.map((s) => (
          <div key={s.key}>
            <dt>
              <kbd>{s.key === 'Escape' ? 'Esc' : s.key}</kbd>
            </dt>
            <dd>{s.label}</dd>
          </div>
        ))}
      </dl>
      <button type="button" onClick={() => dashboard.prefs.setHelp(false)} autoFocus>
        Close
      </button>
    </dialog>
  );
}
