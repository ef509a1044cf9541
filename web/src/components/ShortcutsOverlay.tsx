import { useEffect, useRef } from 'react';
import { useDashboard } from '../hooks/context.js';
import { useUi } from '../hooks/useUi.js';
import { keyLabel, SHORTCUTS } from '../lib/shortcuts.js';

const MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

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
      <p className="muted">Ignored while typing in a field. The four {MAC ? '⌘' : 'Ctrl'} combinations are the reference dashboard's; the page takes them only while it has focus.</p>
      <dl className="keys">
        {SHORTCUTS.map((s) => (
          <div key={`${s.mod ? 'mod-' : ''}${s.key}`}>
            <dt>
              <kbd>{keyLabel(s, MAC)}</kbd>
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
