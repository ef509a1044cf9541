/** localStorage that never throws (private windows, full quota, disabled storage). */
export interface KeyValue {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const KEYS = {
  watchlist: 'tickstream.watchlist',
  theme: 'tickstream.theme',
  chart: 'tickstream.chart',
  session: 'tickstream.session',
  logFilter: 'tickstream.logFilter',
  view: 'tickstream.view',
  overlays: 'tickstream.overlays',
} as const;

export function load<T>(storage: KeyValue | undefined, key: string, accept: (value: unknown) => value is T): T | undefined {
  try {
    const raw = storage?.getItem(key);
    if (raw === null || raw === undefined) return undefined;
    const value: unknown = JSON.parse(raw);
    return accept(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function save(storage: KeyValue | undefined, key: string, value: unknown): void {
  try {
    if (value === undefined) storage?.removeItem(key);
    else storage?.setItem(key, JSON.stringify(value));
  } catch {
    // Not persisted; the dashboard still works for this visit.
  }
}

export const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
