/**
 * One redraw per animation frame for everything the stream changes. Stores mark themselves dirty
 * as ticks arrive (any rate); their `flush` runs at most once per frame. While paused nothing is
 * flushed: the stores keep absorbing ticks, and resuming draws their latest state at once.
 */
export class FrameScheduler {
  private readonly flushes: (() => void)[] = [];
  private scheduled = false;
  private pausedNow = false;
  frames = 0;

  constructor(private readonly schedule: (run: () => void) => void) {}

  get paused(): boolean {
    return this.pausedNow;
  }

  onFlush(flush: () => void): void {
    this.flushes.push(flush);
  }

  request(): void {
    if (this.scheduled || this.pausedNow) return;
    this.scheduled = true;
    this.schedule(() => this.run());
  }

  setPaused(paused: boolean): void {
    if (paused === this.pausedNow) return;
    this.pausedNow = paused;
    if (!paused) this.request();
  }

  private run(): void {
    this.scheduled = false;
    if (this.pausedNow) return;
    this.frames++;
    for (const flush of this.flushes) flush();
  }
}

/** Listeners notified after a flush, for React's useSyncExternalStore. */
export class Listeners {
  private readonly set = new Set<() => void>();

  readonly subscribe = (listener: () => void): (() => void) => {
    this.set.add(listener);
    return () => this.set.delete(listener);
  };

  notify(): void {
    for (const listener of this.set) listener();
  }
}
