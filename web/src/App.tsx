import { AccountPanel } from './components/AccountPanel.js';
import { ActivityLog } from './components/ActivityLog.js';
import { ChartPanel } from './components/ChartPanel.js';
import { ConnectionPanel } from './components/ConnectionPanel.js';
import { Header } from './components/Header.js';
import { MarketPanel } from './components/MarketPanel.js';
import { Notices } from './components/Notices.js';
import { ShortcutsOverlay } from './components/ShortcutsOverlay.js';
import { Toasts } from './components/Toasts.js';
import { TradingPanel } from './components/TradingPanel.js';
import { Watchlist } from './components/Watchlist.js';
import { useDashboard } from './hooks/context.js';
import { useShortcuts } from './hooks/useShortcuts.js';
import { useUi } from './hooks/useUi.js';

export function App() {
  const dashboard = useDashboard();
  useShortcuts(dashboard);
  const logOpen = useUi((s) => s.view.logOpen);
  return (
    <>
      <a className="skip" href="#chart-panel">
        Skip to chart
      </a>
      <Header />
      <Notices />
      <main className={`layout${logOpen ? '' : ' no-log'}`}>
        <Watchlist />
        <ChartPanel />
        <div className="side">
          <MarketPanel />
          <ConnectionPanel />
        </div>
        {logOpen && <ActivityLog />}
        <AccountPanel />
        <TradingPanel />
      </main>
      <footer className="footer">
        <a href="/docs">API docs</a> · <a href="/metrics">Metrics</a> · Press <kbd>?</kbd> for keyboard shortcuts
      </footer>
      <Toasts />
      <ShortcutsOverlay />
    </>
  );
}
