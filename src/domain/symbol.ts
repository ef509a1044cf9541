/**
 * The one rule for what a symbol looks like: an upper-case letter, then up to 14 of A-Z, 0-9, `.`, `-`.
 * Configuration, the tick parser, the WebSocket protocol, `tail` and the dashboard all check it here.
 */
const SYMBOL_PATTERN = /^[A-Z][A-Z0-9.-]{0,14}$/;

export const SYMBOL_RULE = 'letters, digits, "." and "-", starting with a letter, up to 15';

export function isValidSymbol(symbol: string): boolean {
  return SYMBOL_PATTERN.test(symbol);
}
