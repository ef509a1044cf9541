/** What a replay has done so far, for people. */
export interface ReplayProgress {
  readonly sent: number;
  readonly total: number;
  readonly elapsedMs: number;
}

const BAR_WIDTH = 24;

function duration(ms: number): string {
  if (!Number.isFinite(ms)) return '--:--';
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** `sent/total ticks · N ticks/s · ETA mm:ss` — the ETA from the rate so far over what is left. */
export function progressText(p: ReplayProgress): string {
  const rate = p.elapsedMs > 0 ? (p.sent / p.elapsedMs) * 1000 : 0;
  const left = Math.max(0, p.total - p.sent);
  const eta = left === 0 ? 0 : rate > 0 ? (left / rate) * 1000 : Infinity;
  return `${p.sent}/${p.total} ticks · ${rate.toFixed(rate < 10 ? 1 : 0)} ticks/s · ETA ${duration(eta)}`;
}

/** The terminal form: a bar redrawn in place on one line (carriage return, erase line). */
export function progressBar(p: ReplayProgress): string {
  const fraction = p.total > 0 ? Math.min(1, p.sent / p.total) : 1;
  const filled = Math.round(fraction * BAR_WIDTH);
  return `\r\x1b[2K[${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}% ${progressText(p)}`;
}
