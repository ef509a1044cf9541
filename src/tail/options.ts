import { isValidSymbol, SYMBOL_RULE } from '../protocol/index.js';

/** What `tickstream tail` was asked for, validated; a bad value is a usage error (exit 2). */
export interface TailOptions {
  /** The gateway's WebSocket URL. */
  readonly url: string;
  /** Upper-case symbols; empty means every symbol. */
  readonly symbols: readonly string[];
  readonly mode: 'table' | 'json';
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const DEFAULT_URL = 'ws://localhost:8080/ws';

/** ws:// and wss:// as given; http(s):// is taken to mean the same server's socket (path `/ws` if none). */
function parseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`invalid URL "${raw}": expected something like ${DEFAULT_URL}`);
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    if (url.pathname === '/' || url.pathname === '') url.pathname = '/ws';
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new UsageError(`invalid URL "${raw}": the scheme must be ws:// or wss:// (e.g. ${DEFAULT_URL})`);
  if (url.hostname === '') throw new UsageError(`invalid URL "${raw}": no host`);
  return url.toString();
}

function parseSymbols(raw: readonly string[]): string[] {
  const symbols = raw.flatMap((s) => s.split(',')).map((s) => s.trim().toUpperCase()).filter((s) => s !== '' && s !== '*');
  const bad = symbols.filter((s) => !isValidSymbol(s));
  if (bad.length > 0) throw new UsageError(`not a symbol: ${bad.join(', ')} (${SYMBOL_RULE})`);
  return [...new Set(symbols)];
}

export function tailOptions(input: { symbols: readonly string[]; url?: string; json?: boolean; table?: boolean }, env: NodeJS.ProcessEnv, stdoutIsTty: boolean): TailOptions {
  if (input.json && input.table) throw new UsageError('--json and --table exclude each other');
  const url = parseUrl(input.url ?? env.TICKSTREAM_URL ?? DEFAULT_URL);
  const mode = input.json ? 'json' : input.table || stdoutIsTty ? 'table' : 'json';
  return { url, symbols: parseSymbols(input.symbols), mode };
}
