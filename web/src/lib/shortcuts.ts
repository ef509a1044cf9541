/**
 * Keyboard shortcuts: single keys, plus the four Ctrl/Cmd combinations of the reference dashboard
 * (kafka-stream-sim-dashboard.md). A page only receives key events while it has focus, so those
 * browser combinations are taken only then; nothing fires while typing in a field.
 */
export type ShortcutAction =
  | 'help'
  | 'close'
  | 'theme'
  | 'pause'
  | 'chartType'
  | 'interval-1s'
  | 'interval-1m'
  | 'interval-5m'
  | 'interval-1h'
  | 'next'
  | 'previous'
  | 'addSymbol'
  | 'connection'
  | 'clearLog'
  | 'toggleLog'
  | 'clearAll'
  | 'highFrequency'
  | 'watchView'
  | 'resetZoom';

export interface Shortcut {
  readonly key: string;
  /** Ctrl on Windows and Linux, Cmd on macOS. */
  readonly mod?: boolean;
  readonly action: ShortcutAction;
  readonly label: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { key: 'k', mod: true, action: 'connection', label: 'Connect or disconnect' },
  { key: 'l', mod: true, action: 'toggleLog', label: 'Show or hide the activity log' },
  { key: 'r', mod: true, action: 'clearAll', label: 'Clear all data (prices, chart, log, statistics) and load afresh' },
  { key: 'h', mod: true, action: 'highFrequency', label: 'High-frequency mode: sampled log, calmer flashes' },
  { key: '?', action: 'help', label: 'Show or hide this help' },
  { key: 'Escape', action: 'close', label: 'Close this help' },
  { key: 't', action: 'theme', label: 'Switch dark / light theme' },
  { key: 'p', action: 'pause', label: 'Pause or resume the screen (the stream stays connected)' },
  { key: 'c', action: 'chartType', label: 'Candles or line' },
  { key: '0', action: 'resetZoom', label: 'Reset the chart zoom' },
  { key: '1', action: 'interval-1s', label: 'Chart interval 1 second' },
  { key: '2', action: 'interval-1m', label: 'Chart interval 1 minute' },
  { key: '3', action: 'interval-5m', label: 'Chart interval 5 minutes' },
  { key: '4', action: 'interval-1h', label: 'Chart interval 1 hour' },
  { key: 'j', action: 'next', label: 'Next symbol in the watchlist' },
  { key: 'k', action: 'previous', label: 'Previous symbol in the watchlist' },
  { key: 'a', action: 'addSymbol', label: 'Add a symbol' },
  { key: 'v', action: 'watchView', label: 'Watchlist as cards or table' },
  { key: 'r', action: 'connection', label: 'Disconnect or reconnect' },
  { key: 'x', action: 'clearLog', label: 'Clear the activity log' },
];

export interface KeyEventLike {
  readonly key: string;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly altKey: boolean;
  readonly shiftKey?: boolean;
  readonly defaultPrevented?: boolean;
  readonly repeat?: boolean;
  /** The focused element's tag and whether it is editable. */
  readonly target?: { tagName?: string; isContentEditable?: boolean } | null;
}

const TYPING = new Set(['INPUT', 'TEXTAREA', 'SELECT']);

/** How a shortcut is written for people: `Ctrl+K` (`⌘K` on a Mac), `Esc`, `?`. */
export function keyLabel(shortcut: Shortcut, mac: boolean): string {
  const key = shortcut.key === 'Escape' ? 'Esc' : shortcut.key.toUpperCase() === shortcut.key ? shortcut.key : shortcut.mod ? shortcut.key.toUpperCase() : shortcut.key;
  if (!shortcut.mod) return key;
  return mac ? `⌘${key}` : `Ctrl+${key}`;
}

/** The action for a key press, or undefined when the browser (or a text field) should have it. */
export function shortcutFor(event: KeyEventLike): ShortcutAction | undefined {
  if (event.altKey || event.defaultPrevented) return undefined;
  const target = event.target;
  if (target && (TYPING.has(target.tagName?.toUpperCase() ?? '') || target.isContentEditable)) return undefined;
  const mod = event.ctrlKey || event.metaKey;
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  if (mod) {
    // Ctrl+Shift+R and the like stay the browser's.
    if (event.shiftKey || event.repeat) return undefined;
    return SHORTCUTS.find((s) => s.mod && s.key === key)?.action;
  }
  if (event.repeat && key !== 'j' && key !== 'k') return undefined;
  return SHORTCUTS.find((s) => !s.mod && (s.key === key || (s.key === '?' && event.key === '?')))?.action;
}
