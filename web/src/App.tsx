import { AccountPanel } from './components/AccountPanel.js';
import { ActivityLog } from './components/ActivityLog.js';
import { ChartPanel } from './components/ChartPanel.js';
import { ConnectionPanel } from './components/ConnectionPanel.js';
import { Header } from './components/Header.js';
import { MarketPanel } from './components/MarketPanel.js';
import { Notices } from './components/Notices.js';
import { ShortcutsOverlay } from './components/ShortcutsOverlay.js';
import { Toasts } from './components/Toasts.js';
import { Watchlist } from './components/Watchlist.js';
import { useDashboard } from './hooks/context.js';
import { useShortcuts } from './hooks/useShortcuts.js';

export function App() {
  const dashboard = useDashboard();
  useShortcuts(dashboard);
  return (
    <>
      <a className="skip" href="#chart-panel">
        Skip to chart
      </a>
      <Header />
      <Notices />
      <main className="layout">
        <Watchlist />
        <ChartPanel />
        <div className="side">
          <MarketPanel />
          <ConnectionPanel />
        </div>
        <ActivityLog />
        <AccountPanel />
      </main>
      <footer className="footer">
        <a href="/docs">API docs</a> · <a href="/metrics">Metrics</a> · Press <kbd>?</kbd> for keyboard shortcuts
      </footer>
      <Toasts />
      <ShortcutsOverlay />
    </>
  );
}
