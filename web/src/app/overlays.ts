import type { IndicatorSelection, TickstreamClient } from '../../../src/client/index.js';
import type { ActivityLog } from '../lib/activity.js';
import type { IndicatorStore } from '../lib/indicators.js';
import { KEYS, save, type KeyValue } from '../lib/storage.js';
import type { Notices } from './notices.js';
import type { UiStore } from './state.js';
import { OVERLAYS } from './overlay-kinds.js';

export interface OverlaysDeps {
  readonly ui: UiStore;
  readonly storage: KeyValue | undefined;
  readonly socket: TickstreamClient;
  readonly store: IndicatorStore;
  readonly notices: Notices;
  readonly activity: ActivityLog;
}

/**
 * The chosen indicators (remembered) and the socket's indicator subscription that feeds them: the
 * chosen names at the chart's symbol and interval, nothing else. Follows the UI state, so picking
 * another symbol or interval moves the subscription with the chart.
 */
export class Overlays {
  private following: IndicatorSelection = {};

  constructor(private readonly deps: OverlaysDeps) {}

  start(): void {
    this.deps.ui.subscribe(() => this.sync());
    this.sync();
  }

  toggle(name: string, on: boolean): void {
    const { ui, storage } = this.deps;
    const current = ui.get().overlays;
    if (on === current.includes(name)) return;
    // Kept in the menu's order, so the legend and the panes keep theirs.
    const overlays = OVERLAYS.map((o) => o.name).filter((n) => (n === name ? on : current.includes(n)));
    ui.set({ overlays });
    save(storage, KEYS.overlays, overlays);
    if (!on) this.deps.store.drop(name);
  }

  /** The server refused streams (an indicator it does not compute): they leave the menu's choice. */
  rejected(indicators: IndicatorSelection, code: string, message: string): void {
    const refused = new Set(Object.values(indicators).flatMap((streams) => streams.map((s) => s.slice(s.indexOf(':') + 1))));
    this.following = difference(this.following, indicators);
    this.deps.notices.notice('error', `Indicators refused (${code}): ${message}`);
    this.deps.activity.add('error', `Indicator subscribe refused (${code}): ${message}`);
    const overlays = this.deps.ui.get().overlays.filter((n) => !refused.has(n));
    this.deps.ui.set({ overlays });
    save(this.deps.storage, KEYS.overlays, overlays);
  }

  private sync(): void {
    const { selected, interval, overlays } = this.deps.ui.get();
    const wanted: IndicatorSelection = selected && overlays.length > 0 ? { [selected]: overlays.map((n) => `${interval}:${n}`) } : {};
    this.deps.store.follow(selected, interval);
    const removed = difference(this.following, wanted);
    const added = difference(wanted, this.following);
    if (Object.keys(removed).length === 0 && Object.keys(added).length === 0) return;
    this.following = wanted;
    const { socket } = this.deps;
    if (Object.keys(removed).length > 0) socket.unsubscribeIndicators(removed);
    if (Object.keys(added).length > 0) socket.subscribeIndicators(added);
  }
}

/** The streams of `a` that are not in `b`. */
function difference(a: IndicatorSelection, b: IndicatorSelection): IndicatorSelection {
  const out: IndicatorSelection = {};
  for (const [symbol, streams] of Object.entries(a)) {
    const rest = streams.filter((s) => !(b[symbol] ?? []).includes(s));
    if (rest.length > 0) out[symbol] = rest;
  }
  return out;
}
