import { useState, type FormEvent } from 'react';
import { useDashboard } from '../hooks/context.js';
import { useUi } from '../hooks/useUi.js';
import { ALERT_CONDITIONS, type AlertCondition } from '../lib/types.js';

const CONDITION_LABEL: Record<AlertCondition, string> = {
  above: 'is above',
  below: 'is below',
  crosses_above: 'crosses above',
  crosses_below: 'crosses below',
  pct_move: 'moves by % (either way)',
};

export function AlertForm() {
  const dashboard = useDashboard();
  const watchlist = useUi((s) => s.watchlist);
  const universe = useUi((s) => s.universe);
  const selected = useUi((s) => s.selected);
  const busy = useUi((s) => s.account.busy);
  const [symbol, setSymbol] = useState(selected ?? watchlist[0] ?? '');
  const [condition, setCondition] = useState<AlertCondition>('above');
  const [threshold, setThreshold] = useState('');
  const [mode, setMode] = useState<'once' | 'rearm'>('once');
  const [cooldown, setCooldown] = useState('60');
  const [note, setNote] = useState('');
  const symbols = universe.length > 0 ? universe : watchlist;
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const ok = await dashboard.account.createAlert({ symbol: symbol || symbols[0] || '', condition, threshold: Number(threshold), mode, cooldownSeconds: Number(cooldown) || 0, note });
    if (ok) {
      setThreshold('');
      setNote('');
    }
  };
  return (
    <form className="alert-form" onSubmit={(e) => void submit(e)}>
      <h3>New alert</h3>
      <div className="grid-2">
        <div className="field">
          <label htmlFor="alert-symbol">Symbol</label>
          <select id="alert-symbol" value={symbol || symbols[0]} onChange={(e) => setSymbol(e.target.value)}>
            {symbols.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="alert-condition">Condition</label>
          <select id="alert-condition" value={condition} onChange={(e) => setCondition(e.target.value as AlertCondition)}>
            {ALERT_CONDITIONS.map((c) => (
              <option key={c} value={c}>
                {CONDITION_LABEL[c]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="alert-threshold">Threshold</label>
          <input id="alert-threshold" type="number" step="any" min="0" inputMode="decimal" value={threshold} onChange={(e) => setThreshold(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor="alert-mode">Mode</label>
          <select id="alert-mode" value={mode} onChange={(e) => setMode(e.target.value as 'once' | 'rearm')}>
            <option value="once">once</option>
            <option value="rearm">rearm</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="alert-cooldown-s">Cooldown (s)</label>
          <input id="alert-cooldown-s" type="number" min="0" step="1" value={cooldown} onChange={(e) => setCooldown(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="alert-note">Note</label>
          <input id="alert-note" value={note} maxLength={200} onChange={(e) => setNote(e.target.value)} />
        </div>
      </div>
      <button type="submit" disabled={busy || threshold === ''}>
        Create alert
      </button>
    </form>
  );
}
