import { useEffect } from 'react';
import type { Dashboard } from '../app/controller.js';
import { shortcutFor } from '../lib/shortcuts.js';

/** Global shortcuts (see lib/shortcuts): single keys and four Ctrl/Cmd combinations, never while typing. */
export function useShortcuts(dashboard: Dashboard): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      const target = event.target instanceof HTMLElement ? event.target : null;
      const action = shortcutFor({ key: event.key, ctrlKey: event.ctrlKey, metaKey: event.metaKey, altKey: event.altKey, shiftKey: event.shiftKey, defaultPrevented: event.defaultPrevented, repeat: event.repeat, target });
      if (!action) return;
      const { helpOpen, paused, chartType, view } = dashboard.ui.get();
      // With the help open, only its own keys work (the dialog closes itself on Escape).
      if (helpOpen && action !== 'help') return;
      switch (action) {
        case 'help':
          dashboard.prefs.setHelp(!helpOpen);
          break;
        case 'close':
          return;
        case 'theme':
          dashboard.prefs.toggleTheme();
          break;
        case 'pause':
          dashboard.stream.setPaused(!paused);
          break;
        case 'chartType':
          dashboard.watchlist.setChartType(chartType === 'candles' ? 'line' : 'candles');
          break;
        case 'interval-1s':
        case 'interval-1m':
        case 'interval-5m':
        case 'interval-1h':
          dashboard.watchlist.setInterval(action.slice('interval-'.length) as '1s' | '1m' | '5m' | '1h');
          break;
        case 'next':
          dashboard.watchlist.step(1);
          break;
        case 'previous':
          dashboard.watchlist.step(-1);
          break;
        case 'addSymbol':
          document.getElementById('add-symbol')?.focus();
          break;
        case 'connection':
          dashboard.stream.toggleConnection();
          break;
        case 'clearLog':
          dashboard.activity.clear();
          break;
        case 'toggleLog':
          dashboard.prefs.setView({ logOpen: !view.logOpen });
          break;
        case 'clearAll':
          dashboard.clearAll();
          break;
        case 'highFrequency':
          dashboard.prefs.setView({ highFrequency: !view.highFrequency });
          dashboard.activity.add('system', view.highFrequency ? 'High-frequency mode off: every tick is logged.' : 'High-frequency mode on: the log is sampled, flashes are calmer.');
          break;
        case 'watchView':
          dashboard.prefs.setView({ watchView: view.watchView === 'cards' ? 'table' : 'cards' });
          break;
        case 'resetZoom':
          dashboard.chartView.resetZoom();
          break;
      }
      event.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [dashboard]);
}
