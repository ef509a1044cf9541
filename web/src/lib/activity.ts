import { Listeners, type FrameScheduler } from './frame.js';

export type ActivityType = 'tick' | 'alert' | 'order' | 'system' | 'error';

export const ACTIVITY_TYPES: readonly ActivityType[] = ['tick', 'alert', 'order', 'system', 'error'];

export interface ActivityEntry {
  readonly id: number;
  readonly time: number;
  readonly type: ActivityType;
  readonly text: string;
}

/**
 * A line whose text may be made only when it is shown: the log keeps hundreds of tick lines a
 * second and renders about twenty, so formatting every price up front was wasted work.
 */
class Entry implements ActivityEntry {
  constructor(
    readonly id: number,
    readonly time: number,
    readonly type: ActivityType,
    private source: string | (() => string),
  ) {}

  get text(): string {
    if (typeof this.source === 'function') this.source = this.source();
    return this.source;
  }
}

/**
 * The activity log: the newest entries of each type, kept apart so a fast tick stream never
 * pushes out the rare system or alert lines. Redrawn once per frame through the scheduler.
 */
export class ActivityLog {
  private readonly rings = new Map<ActivityType, ActivityEntry[]>(ACTIVITY_TYPES.map((t) => [t, []]));
  private nextId = 1;
  private dirty = false;
  private readonly listeners = new Listeners();
  /** Changes on every flush that had news, for useSyncExternalStore. */
  version = 0;

  private notifiedAt = -Infinity;

  constructor(
    private readonly scheduler: FrameScheduler,
    private readonly perType = 500,
    /** A log nobody reads at 60 lines a frame: it redraws at most this often. */
    private readonly redrawEveryMs = 200,
    private readonly now: () => number = () => performance.now(),
  ) {
    scheduler.onFlush(() => this.flush());
  }

  readonly subscribe = this.listeners.subscribe;

  /** `text` may be a function: it is called once, when the line is first shown. */
  add(type: ActivityType, text: string | (() => string), time: number = Date.now()): void {
    const ring = this.rings.get(type)!;
    ring.push(new Entry(this.nextId++, time, type, text));
    if (ring.length > this.perType * 1.5) ring.splice(0, ring.length - this.perType);
    this.dirty = true;
    this.scheduler.request();
  }

  /** Newest first, at most `limit`, of the types shown. */
  entries(types: ReadonlySet<ActivityType>, limit = 100): ActivityEntry[] {
    const out: ActivityEntry[] = [];
    for (const type of types) {
      const ring = this.rings.get(type) ?? [];
      out.push(...ring.slice(-limit));
    }
    return out.sort((a, b) => b.id - a.id).slice(0, limit);
  }

  count(type: ActivityType): number {
    return this.rings.get(type)?.length ?? 0;
  }

  clear(): void {
    for (const ring of this.rings.values()) ring.length = 0;
    this.dirty = true;
    this.scheduler.request();
    // Clearing is a user action: show it at once, even while paused.
    this.notifiedAt = -Infinity;
    if (this.scheduler.paused) this.flush();
  }

  private flush(): void {
    if (!this.dirty) return;
    const now = this.now();
    if (now - this.notifiedAt < this.redrawEveryMs) {
      this.scheduler.request();
      return;
    }
    this.notifiedAt = now;
    this.dirty = false;
    this.version++;
    this.listeners.notify();
  }
}
