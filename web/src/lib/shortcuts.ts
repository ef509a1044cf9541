/** Keyboard shortcuts: single keys only, so no browser or OS combination is ever taken over. */
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
  | 'clearLog';

export const SHORTCUTS: readonly { key: string; action: ShortcutAction; label: string }[] = [
  { key: '?', action: 'help', label: 'Show or hide this help' },
  { key: 'Escape', action: 'close', label: 'Close this help' },
  { key: 't', action: 'theme', label: 'Switch dark / light theme' },
  { key: 'p', action: 'pause', label: 'Pause or resume the stream' },
  { key: 'c', action: 'chartType', label: 'Candles or line' },
  { key: '1', action: 'interval-1s', label: 'Chart interval 1 second' },
  { key: '2', action: 'interval-1m', label: 'Chart interval 1 minute' },
  { key: '3', action: 'interval-5m', label: 'Chart interval 5 minutes' },
  { key: '4', action: 'interval-1h', label: 'Chart interval 1 hour' },
  { key: 'j', action: 'next', label: 'Next symbol in the watchlist' },
  { key: 'k', action: 'previous', label: 'Previous symbol in the watchlist' },
  { key: 'a', action: 'addSymbol', label: 'Add a symbol' },
  { key: 'r', action: 'connection', label: 'Disconnect or reconnect' },
  { key: 'x', action: 'clearLog', label: 'Clear the activity log' },
];

export interface KeyEventLike {
  readonly key: string;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly altKey: boolean;
  readonly defaultPrevented?: boolean;
  readonly repeat?: boolean;
  /** The focused element's tag and whether it is editable. */
  readonly target?: { tagName?: string; isContentEditable?: boolean } | null;
}

const TYPING = new Set(['INPUT', 'TEXTAREA', 'SELECT']);

/** The action for a key press, or undefined when the browser (or a text field) should have it. */
export function shortcutFor(event: KeyEventLike): ShortcutAction | undefined {
  if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return undefined;
  const target = event.target;
  if (target && (TYPING.has(target.tagName?.toUpperCase() ?? '') || target.isContentEditable)) return undefined;
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  if (event.repeat && key !== 'j' && key !== 'k') return undefined;
  return SHORTCUTS.find((s) => s.key === key || (s.key === '?' && event.key === '?'))?.action;
}
