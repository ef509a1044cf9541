export { isValidSymbol, SYMBOL_RULE } from '../domain/symbol.js';

/** In a subscription: every symbol traded here, including ones added later. */
export const ALL_SYMBOLS = '*';
