import { useState, type FormEvent } from 'react';
import { useDashboard } from '../hooks/context.js';
import { useUi } from '../hooks/useUi.js';

export function AddSymbolForm() {
  const dashboard = useDashboard();
  const universe = useUi((s) => s.universe);
  const watchlist = useUi((s) => s.watchlist);
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | undefined>();
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const problem = dashboard.watchlist.add(value);
    setError(problem);
    if (!problem) setValue('');
  };
  return (
    <form className="add-symbol" onSubmit={submit} noValidate>
      <label htmlFor="add-symbol">Add symbol</label>
      <div className="row">
        <input
          id="add-symbol"
          list="symbols"
          value={value}
          onChange={(e) => setValue(e.target.value.toUpperCase())}
          placeholder="e.g. META"
          autoComplete="off"
          spellCheck={false}
          aria-invalid={error !== undefined}
          aria-describedby={error ? 'add-symbol-error' : undefined}
        />
        <button type="submit">Add</button>
      </div>
      <datalist id="symbols">
        {universe.filter((s) => !watchlist.includes(s)).map((s) => (
          <option key={s} value={s} />
        ))}
      </datalist>
      {error && (
        <p id="add-symbol-error" className="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
