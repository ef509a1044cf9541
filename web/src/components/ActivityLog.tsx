import { useState, useSyncExternalStore } from 'react';
import { useDashboard } from '../hooks/context.js';
import { useUi } from '../hooks/useUi.js';
import { ACTIVITY_TYPES, type ActivityType } from '../lib/activity.js';
import { clock } from '../lib/format.js';

/** Rows are one line high, so only the rows in view are rendered however long the log is. */
const ROW_PX = 20;
const VIEW_PX = 260;
const OVERSCAN = 6;
const KEPT = 500;
/** More than the rows ever rendered at once, so slot keys never repeat in one render. */
const SLOTS = 64;

/** Which rows to render for a scroll position: those in view plus a few either side. */
export function visibleRows(total: number, scrollTop: number, rowPx = ROW_PX, viewPx = VIEW_PX): { first: number; last: number } {
  const first = Math.max(0, Math.floor(scrollTop / rowPx) - OVERSCAN);
  const last = Math.min(total, Math.ceil((scrollTop + viewPx) / rowPx) + OVERSCAN);
  return { first, last };
}

/** Ticks, alerts, orders, system and error lines; filter by type, pause the stream, clear. */
export function ActivityLog() {
  const dashboard = useDashboard();
  const { activity } = dashboard;
  const paused = useUi((s) => s.paused);
  const highFrequency = useUi((s) => s.view.highFrequency);
  const [shown, setShown] = useState<ReadonlySet<ActivityType>>(() => new Set(ACTIVITY_TYPES));
  const [scrollTop, setScrollTop] = useState(0);
  useSyncExternalStore(activity.subscribe, () => activity.version);
  const entries = activity.entries(shown, KEPT);
  const { first, last } = visibleRows(entries.length, scrollTop);
  const toggle = (type: ActivityType): void => {
    const next = new Set(shown);
    if (next.has(type)) next.delete(type);
    else next.add(type);
    setShown(next);
  };
  return (
    <section className="panel activity" id="activity" aria-labelledby="activity-title">
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
      {highFrequency && <p className="muted">High-frequency mode: tick lines are sampled.</p>}
      {/* Focusable, so the log scrolls with the keyboard (arrows, Page Up/Down). */}
      <div className="log" role="log" aria-label="Activity entries" aria-live="off" tabIndex={0} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)} data-entries={entries.length}>
        <ol style={{ height: entries.length * ROW_PX }}>
          {/* Keyed by slot, not by entry: as lines arrive the same elements take new text instead of being replaced. */}
          {entries.slice(first, last).map((e, i) => (
            <li key={(first + i) % SLOTS} data-type={e.type} data-id={e.id} style={{ top: (first + i) * ROW_PX }}>
              <time dateTime={new Date(e.time).toISOString()}>{clock(e.time)}</time>
              <span className={`tag tag-${e.type}`}>{e.type}</span>
              <span className="log-text" title={e.text}>
                {e.text}
              </span>
            </li>
          ))}
        </ol>
      </div>
    </section>
  );
}
