import { Listeners } from '../lib/frame.js';
import type { ChartWindow, UiStore } from './state.js';
import type { Preferences } from './preferences.js';

/**
 * The chart's viewing controls (the reference dashboard's pause/resume, zoom reset and time
 * windows). Pausing freezes only the drawing: candles keep being built from live ticks, and
 * resuming draws them at once. Zoom reset is a command the chart component listens for.
 */
export class ChartView {
  private readonly resets = new Listeners();
  readonly onResetZoom = this.resets.subscribe;

  constructor(
    private readonly ui: UiStore,
    private readonly prefs: Preferences,
  ) {}

  setPaused(chartPaused: boolean): void {
    this.ui.set({ chartPaused });
  }

  setWindow(chartWindow: ChartWindow): void {
    this.prefs.setView({ chartWindow });
    this.resets.notify();
  }

  /** Back to the chosen window, following the latest candle. */
  resetZoom(): void {
    this.resets.notify();
  }
}

export const WINDOW_MS: Readonly<Record<ChartWindow, number | undefined>> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  all: undefined,
};
