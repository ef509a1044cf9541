import { useEffect, useState } from 'react';
import type { Movers } from '../lib/types.js';
import { useDashboard } from './context.js';
import { useUi } from './useUi.js';

/** Top movers of the chosen window from the REST API, polled every few seconds while visible and not paused. */
export function useMovers(everyMs = 3000, most = 5): { movers: Movers | undefined; error: string | undefined } {
  const dashboard = useDashboard();
  const paused = useUi((s) => s.paused);
  // "day" is the day's movers from quotes, which every api process serves; the others need the analytics role.
  const window = useUi((s) => (s.view.moversWindow === 'day' ? undefined : s.view.moversWindow));
  // The server caps `limit` at the number of symbols it trades.
  const limit = useUi((s) => Math.min(most, s.universe.length));
  const [movers, setMovers] = useState<Movers | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    if (paused || limit === 0) return;
    let stopped = false;
    const poll = async (): Promise<void> => {
      if (document.visibilityState === 'hidden') return;
      try {
        const next = await dashboard.api.movers(limit, window);
        if (!stopped) {
          setMovers(next);
          setError(undefined);
        }
      } catch (e) {
        if (!stopped) setError(e instanceof Error ? e.message : String(e));
      }
    };
    void poll();
    const timer = setInterval(() => void poll(), everyMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [dashboard, paused, everyMs, limit, window]);
  return { movers, error };
}
