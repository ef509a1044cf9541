import { useState, useSyncExternalStore } from 'react';
import { useDashboard } from '../hooks/context.js';
import { useUi } from '../hooks/useUi.js';
import { ACTIVITY_TYPES, type ActivityType } from '../lib/activity.js';
import { clock } from '../lib/format.js';

/** Ticks, alerts, orders, system and error lines; filter by type, pause the stream, clear. */
export function ActivityLog() {
  const dashboard = useDashboard();
  const { activity } = dashboard;
  const paused = useUi((s) => s.paused);
  const [shown, setShown] = useState<ReadonlySet<ActivityType>>(() => new Set(ACTIVITY_TYPES));
  useSyncExternalStore(activity.subscribe, () => activity.version);
  const entries = activity.entries(shown, 100);
  const toggle = (type: ActivityType): void => {
    const next = new Set(shown);
    if (next.has(type)) next.delete(type);
    else next.add(type);
    setShown(next);
  };
  return (
    <section className="panel activity" aria-labelledby="activity-title">
      <div className="panel-head">
        <h2 id="activity-title">Activity</h2>
        <div className="row">
          <button type="button" aria-pressed={paused} onClick={() => dashboard.stream.setPaused(!paused)}>
            {paused ? 'Resume' : 'Pause'}
          </button>
          <button type="button" onClick={() => activity.clear()}>
            Clear
          </button>
        </div>
      </div>
      <fieldset className="filters">
        <legend>Show</legend>
        {ACTIVITY_TYPES.map((type) => (
          <label key={type} className={`filter filter-${type}`}>
            <input type="checkbox" checked={shown.has(type)} onChange={() => toggle(type)} />
            {type}
          </label>
        ))}
      </fieldset>
      {paused && <p className="muted">Paused: the connection stays open; resuming shows the latest state.</p>}
      <ol className="log" aria-label="Activity entries">
        {entries.map((e) => (
          <li key={e.id} data-type={e.type}>
            <time dateTime={new Date(e.time).toISOString()}>{clock(e.time)}</time>
            <span className={`tag tag-${e.type}`}>{e.type}</span>
            <span className="log-text">{e.text}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
