/**
 * One redraw per animation frame for everything the stream changes. Stores mark themselves dirty
 * as ticks arrive (any rate); their `flush` runs at most once per frame. While paused nothing is
 * flushed: the stores keep absorbing ticks, and resuming draws their latest state at once.
 *
 * When the page cannot keep up (a slow machine, a fast stream), redraws space themselves out:
 * the gap between them is a few times what the last ones cost, up to {@link MAX_GAP_MS}, so the
 * main thread keeps time for input and the socket. `minGapMs` sets a floor (high-frequency mode).
 *
 * A redraw's cost is more than the flush: React renders in a microtask after it, and the browser
 * recalculates style, lays out, paints and commits before it runs any other task. Given
 * `afterRender` (a task posted from the frame callback), the cost is measured to that task, so
 * all of this counts; without it, only the flush and how late the next frame came.
 */
export class FrameScheduler {
  private readonly flushes: (() => void)[] = [];
  private scheduled = false;
  private pausedNow = false;
  private lastRun = -Infinity;
  /** Smoothed cost of a redraw, including what the browser spent until the next frame. */
  private cost = 0;
  private flushSpent: number | undefined;
  /** A store has news to draw. */
  private wanted = false;
  minGapMs = 0;
  frames = 0;

  constructor(
    private readonly schedule: (run: () => void) => void,
    private readonly now: () => number = () => (typeof performance === 'undefined' ? Date.now() : performance.now()),
    private readonly afterRender?: (done: () => void) => void,
  ) {}

  /** The wait between redraws as things stand. */
  get gapMs(): number {
    return Math.min(MAX_GAP_MS, Math.max(this.minGapMs, this.cost * COST_FACTOR));
  }

  get paused(): boolean {
    return this.pausedNow;
  }

  onFlush(flush: () => void): void {
    this.flushes.push(flush);
  }

  request(): void {
    this.wanted = true;
    this.scheduleFrame();
  }

  setPaused(paused: boolean): void {
    if (paused === this.pausedNow) return;
    this.pausedNow = paused;
    if (!paused) this.request();
  }

  private scheduleFrame(): void {
    if (this.scheduled || this.pausedNow) return;
    this.scheduled = true;
    this.schedule(() => this.run());
  }

  private run(): void {
    this.scheduled = false;
    if (this.pausedNow) return;
    const start = this.now();
    if (this.flushSpent !== undefined) {
      // The frame after a redraw: how late it came shows what React, layout and paint took too.
      const late = Math.max(0, start - this.lastRun - FRAME_MS);
      this.cost = this.cost * 0.8 + (this.flushSpent + late) * 0.2;
      this.flushSpent = undefined;
    }
    if (!this.wanted) return;
    if (start - this.lastRun < this.gapMs) {
      // Too soon: look again next frame (cheap), so the news is drawn as soon as the gap is over.
      this.scheduleFrame();
      return;
    }
    this.wanted = false;
    this.lastRun = start;
    this.frames++;
    for (const flush of this.flushes) flush();
    if (this.afterRender) {
      this.afterRender(() => this.measured(this.now() - start));
      return;
    }
    this.flushSpent = this.now() - start;
    // One more frame to measure what the redraw cost the browser.
    this.scheduleFrame();
  }

  private measured(spent: number): void {
    this.cost = this.cost * 0.8 + spent * 0.2;
  }
}

const FRAME_MS = 1000 / 60;
/** Redraws may take up to 1/factor of the main thread: gap = cost × factor. */
const COST_FACTOR = 8;
/** However slow the page, prices are redrawn at least this often. */
const MAX_GAP_MS = 250;

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

/**
 * A task that runs after the browser has rendered the frame whose callback posted it (the
 * rendering steps follow the frame callbacks in the same task), for {@link FrameScheduler}.
 * `scheduler.postTask` at user-blocking priority runs before the socket's queued messages, so
 * their handling is not counted as the redraw's; a message channel is the fallback.
 */
export function afterRenderTask(): ((done: () => void) => void) | undefined {
  const tasks = (globalThis as { scheduler?: { postTask?: (task: () => void, options: { priority: string }) => Promise<void> } }).scheduler;
  if (typeof tasks?.postTask === 'function') return (done) => void tasks.postTask!(done, { priority: 'user-blocking' });
  if (typeof MessageChannel === 'undefined') return undefined;
  const channel = new MessageChannel();
  let waiting: (() => void)[] = [];
  channel.port1.addEventListener('message', () => {
    const callbacks = waiting;
    waiting = [];
    for (const done of callbacks) done();
  });
  channel.port1.start();
  return (done) => {
    waiting.push(done);
    if (waiting.length === 1) channel.port2.postMessage(undefined);
  };
}
