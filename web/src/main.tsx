import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { Dashboard } from './app/controller.js';
import { DashboardContext } from './hooks/context.js';
import './styles.css';

const dashboard = new Dashboard();
// A handle for the console and for browser tests: `tickstream.market.chart.series.all`, `tickstream.socket`.
Object.assign(window, { tickstream: dashboard });
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <DashboardContext.Provider value={dashboard}>
      <App />
    </DashboardContext.Provider>
  </StrictMode>,
);
void dashboard.start();
