/**
 * Number formatting for prices, changes and durations. The formatters are made once:
 * `toLocaleString` with options builds a new Intl.NumberFormat on every call, which at hundreds
 * of prices a second was the dashboard's most expensive script.
 */
const PRICE = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const SMALL_PRICE = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 4 });
const COMPACT = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const USD = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const WHOLE = new Intl.NumberFormat('en-US');

export function price(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return (value < 1 ? SMALL_PRICE : PRICE).format(value);
}

/** A count with thousands separators: `12,345`. */
export const count = (value: number): string => WHOLE.format(value);

export function signed(value: number | undefined, digits = 2): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  const text = Math.abs(value).toFixed(digits);
  return value > 0 ? `+${text}` : value < 0 ? `−${text}` : text;
}

export function percent(value: number | undefined): string {
  return value === undefined ? '—' : `${signed(value)}%`;
}

export function compact(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return COMPACT.format(value);
}

export function duration(ms: number | undefined): string {
  if (ms === undefined || ms < 0) return '—';
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

export function millis(value: number | undefined): string {
  if (value === undefined) return '—';
  return value < 10 ? `${value.toFixed(1)} ms` : `${Math.round(value)} ms`;
}

export function clock(ts: number): string {
  const d = new Date(ts);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}:${String(d.getSeconds()).padStart(2, '0')}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** US dollars with cents: `$100,000.00`, `−$12.50`. */
export function usd(value: number | undefined | null): string {
  if (value === undefined || value === null || !Number.isFinite(value)) return '—';
  const text = USD.format(Math.abs(value));
  return value < 0 ? `−${text}` : text;
}

/** A signed amount of dollars (a P&L): `+$2.00`, `−$12.50`, `$0.00`. */
export function signedUsd(value: number | undefined | null): string {
  if (value === undefined || value === null || !Number.isFinite(value)) return '—';
  return value > 0 ? `+${usd(value)}` : usd(value);
}

/** The colour class of a signed amount. */
export const tone = (value: number | undefined | null): string => (value === undefined || value === null || value === 0 ? '' : value > 0 ? 'up' : 'down');
