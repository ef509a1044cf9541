/** Where an indicator is drawn: over the prices, or in a pane of its own under them. */
export type OverlayPlace = 'price' | 'pane';

export interface OverlayKind {
  /** The indicator's name on the wire (`sma:20`), as the server computes it. */
  readonly name: string;
  readonly label: string;
  readonly place: OverlayPlace;
}

/** What the menu offers: the server's default periods (ANALYTICS_SMA_PERIODS, ANALYTICS_EMA_PERIODS) and its fixed indicators. */
export const OVERLAYS: readonly OverlayKind[] = [
  { name: 'sma:9', label: 'SMA 9', place: 'price' },
  { name: 'sma:20', label: 'SMA 20', place: 'price' },
  { name: 'sma:50', label: 'SMA 50', place: 'price' },
  { name: 'ema:9', label: 'EMA 9', place: 'price' },
  { name: 'ema:20', label: 'EMA 20', place: 'price' },
  { name: 'ema:50', label: 'EMA 50', place: 'price' },
  { name: 'bb:20:2', label: 'Bollinger 20, 2σ', place: 'price' },
  { name: 'rsi:14', label: 'RSI 14', place: 'pane' },
  { name: 'macd:12:26:9', label: 'MACD 12, 26, 9', place: 'pane' },
];

const NAMES = new Set(OVERLAYS.map((o) => o.name));

/** Remembered overlays, those the menu still offers. */
export function loadOverlays(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((n): n is string => typeof n === 'string' && NAMES.has(n)) : [];
}
