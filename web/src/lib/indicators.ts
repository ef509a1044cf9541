import type { IndicatorSnapshotMessage, IndicatorUpdateMessage } from '../../../src/client/index.js';
import { Listeners, type FrameScheduler } from './frame.js';
import type { CandleInterval } from './types.js';

export type IndicatorValue = IndicatorUpdateMessage['values'][string];

/** Points kept per indicator: beyond the chart's candles there is nothing to draw them against. */
const MAX_POINTS = 2_000;

/**
 * The indicator values of the chart's symbol and interval, from the socket's snapshots and
 * updates, drawn once per frame like the candles. A snapshot replaces an indicator's series; an
 * update replaces one candle's value. Messages of another symbol or interval (sent before the
 * chart moved on) are ignored. No DOM and no I/O.
 */
export class IndicatorStore {
  private key: { symbol: string; interval: CandleInterval } | undefined;
  private readonly series = new Map<string, Map<number, IndicatorValue>>();
  private dirty = false;
  private readonly listeners = new Listeners();
  /** Counts redraws with news. */
  version = 0;

  constructor(scheduler: FrameScheduler) {
    scheduler.onFlush(() => {
      if (!this.dirty) return;
      this.dirty = false;
      this.version++;
      this.listeners.notify();
    });
    this.request = () => scheduler.request();
  }

  private readonly request: () => void;
  readonly subscribe = this.listeners.subscribe;

  /** The chart shows another symbol or interval: what was kept belongs to the old one. */
  follow(symbol: string | undefined, interval: CandleInterval): void {
    if (this.key?.symbol === symbol && this.key?.interval === interval) return;
    this.key = symbol === undefined ? undefined : { symbol, interval };
    this.series.clear();
    this.mark();
  }

  /** An indicator no longer chosen: forget its values. */
  drop(name: string): void {
    if (this.series.delete(name)) this.mark();
  }

  snapshot(message: IndicatorSnapshotMessage): void {
    if (!this.matches(message)) return;
    for (const [name, points] of Object.entries(message.indicators)) this.series.set(name, new Map(points.map((p) => [p.time, p.value])));
    this.mark();
  }

  update(message: IndicatorUpdateMessage): void {
    if (!this.matches(message)) return;
    for (const [name, value] of Object.entries(message.values)) {
      let points = this.series.get(name);
      if (!points) this.series.set(name, (points = new Map()));
      points.set(message.time, value);
      if (points.size > MAX_POINTS) points.delete(points.keys().next().value!);
    }
    this.mark();
  }

  /** One indicator's values, oldest first. */
  points(name: string): { time: number; value: IndicatorValue }[] {
    const points = this.series.get(name);
    if (!points) return [];
    return [...points].map(([time, value]) => ({ time, value })).sort((a, b) => a.time - b.time);
  }

  private matches(message: { symbol: string; interval: string }): boolean {
    return this.key !== undefined && message.symbol === this.key.symbol && message.interval === this.key.interval;
  }

  private mark(): void {
    this.dirty = true;
    this.request();
  }
}
