// @ts-check
// Markdown tables for the console and bench/results/latest.md.

export function table(headers, rows) {
  const cells = rows.map((r) => r.map((c) => (c === undefined || c === null ? '–' : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
  const line = (r) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}

export const f0 = (x) => (x === null || x === undefined || Number.isNaN(x) ? '–' : Math.round(x).toLocaleString('en-US'));
export const f1 = (x) => (x === null || x === undefined || Number.isNaN(x) ? '–' : x.toFixed(1));
export const f2 = (x) => (x === null || x === undefined || Number.isNaN(x) ? '–' : x.toFixed(2));
export const ms = (x) => (x === null || x === undefined || Number.isNaN(x) ? '–' : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));
export const pct = (x) => (x === null || x === undefined || Number.isNaN(x) ? '–' : `${(100 * x).toFixed(x < 0.01 && x > 0 ? 3 : 1)}%`);
export const ratio = (a, b) => (a > 0 && b > 0 && Number.isFinite(a) && Number.isFinite(b) ? `${(a / b).toFixed(2)}×` : '–');
export const k = (x) => (x === null || x === undefined || Number.isNaN(x) ? '–' : x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : String(Math.round(x)));

/** What went wrong in a run, in a few words. */
export function notes(r) {
  const out = [];
  if (r.error) out.push(`error: ${r.error.slice(0, 60)}`);
  if (r.serverAlive === false) out.push('server died');
  if (r.connect?.failed) out.push(`${r.connect.failed} connects failed`);
  if (r.unexpectedCloses) out.push(`${r.unexpectedCloses} closed (${Object.entries(r.closes ?? {}).map(([c, n]) => `${c}×${n}`).join(' ')})`);
  if (r.dups) out.push(`${r.dups} dup`);
  if (r.silentClients) out.push(`${r.silentClients} silent`);
  if (r.loadCores > 0.9) out.push('load generator saturated');
  return out.join('; ');
}
