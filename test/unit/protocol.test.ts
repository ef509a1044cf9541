import { describe, expect, it } from 'vitest';
import { decodeServerMessage, encodeTick, errorMessage, isValidSymbol, parseClientMessage, pongMessage, subscribedMessage, ticksOf, type ErrorCode } from '../../src/protocol/index.js';

const parse = (value: unknown) => parseClientMessage(typeof value === 'string' ? value : JSON.stringify(value));

describe('parseClientMessage: valid messages', () => {
  it('parses subscribe, upper-casing symbols and `since` keys', () => {
    expect(parse({ action: 'subscribe', symbols: ['aapl', 'Msft'], since: { aapl: 12, MSFT: 0 } })).toEqual({
      action: 'subscribe',
      symbols: ['AAPL', 'MSFT'],
      since: { AAPL: 12, MSFT: 0 },
    });
  });

  it('carries the `epoch` of a resume, and refuses one that is not a short string', () => {
    expect(parse({ action: 'subscribe', symbols: ['A'], since: { A: 3 }, epoch: 'x1' })).toEqual({ action: 'subscribe', symbols: ['A'], since: { A: 3 }, epoch: 'x1' });
    for (const epoch of [5, '', 'e'.repeat(65), null]) expect(parse({ action: 'subscribe', symbols: ['A'], epoch })).toMatchObject({ error: 'BAD_REQUEST' });
  });

  it('gives subscribe an empty `since` when none is sent', () => {
    expect(parse({ action: 'subscribe', symbols: ['*'] })).toEqual({ action: 'subscribe', symbols: ['*'], since: {} });
  });

  it('parses unsubscribe, auth and ping', () => {
    expect(parse({ action: 'unsubscribe', symbols: ['ibm'] })).toEqual({ action: 'unsubscribe', symbols: ['IBM'] });
    expect(parse({ action: 'auth', token: 'abc' })).toEqual({ action: 'auth', token: 'abc' });
    expect(parse({ action: 'ping' })).toEqual({ action: 'ping' });
  });

  it('reads a bare array as replacing the subscription set', () => {
    expect(parse(['aapl', 'GOOG'])).toEqual({ action: 'replace', symbols: ['AAPL', 'GOOG'] });
    expect(parse([])).toEqual({ action: 'replace', symbols: [] });
  });

  it('echoes any `id` on replies, whatever its type', () => {
    for (const id of [7, 'req-1', { n: 1 }, null]) {
      expect(parse({ action: 'ping', id })).toEqual({ action: 'ping', id });
      expect(parse({ action: 'subscribe', symbols: 'AAPL', id })).toMatchObject({ error: 'BAD_REQUEST', id });
    }
  });
});

describe('parseClientMessage: errors', () => {
  const cases: [string, unknown, ErrorCode][] = [
    ['text that is not JSON', 'subscribe AAPL', 'BAD_JSON'],
    ['an empty frame', '', 'BAD_JSON'],
    ['a JSON string', '"hello"', 'BAD_REQUEST'],
    ['a JSON number', '42', 'BAD_REQUEST'],
    ['null', 'null', 'BAD_REQUEST'],
    ['a bare array holding a number', [1], 'BAD_REQUEST'],
    ['a bare array holding an empty string', [''], 'BAD_REQUEST'],
    ['a bare array holding a 33-character symbol', ['A'.repeat(33)], 'BAD_REQUEST'],
    ['an object without action', { symbols: ['AAPL'] }, 'BAD_REQUEST'],
    ['a non-string action', { action: 1 }, 'BAD_REQUEST'],
    ['an unknown action', { action: 'buy' }, 'UNKNOWN_ACTION'],
    ['replace as an object action', { action: 'replace', symbols: ['AAPL'] }, 'UNKNOWN_ACTION'],
    ['a prototype key as action', { action: 'toString' }, 'UNKNOWN_ACTION'],
    ['auth without token', { action: 'auth' }, 'BAD_REQUEST'],
    ['auth with an empty token', { action: 'auth', token: '' }, 'BAD_REQUEST'],
    ['auth with a numeric token', { action: 'auth', token: 5 }, 'BAD_REQUEST'],
    ['subscribe without symbols', { action: 'subscribe' }, 'BAD_REQUEST'],
    ['subscribe with a symbol string', { action: 'subscribe', symbols: 'AAPL' }, 'BAD_REQUEST'],
    ['subscribe with a non-string symbol', { action: 'subscribe', symbols: ['AAPL', 3] }, 'BAD_REQUEST'],
    ['unsubscribe without symbols', { action: 'unsubscribe' }, 'BAD_REQUEST'],
    ['since as an array', { action: 'subscribe', symbols: ['AAPL'], since: [1] }, 'BAD_REQUEST'],
    ['since as a number', { action: 'subscribe', symbols: ['AAPL'], since: 5 }, 'BAD_REQUEST'],
    ['since as null', { action: 'subscribe', symbols: ['AAPL'], since: null }, 'BAD_REQUEST'],
    ['a negative since seq', { action: 'subscribe', symbols: ['AAPL'], since: { AAPL: -1 } }, 'BAD_REQUEST'],
    ['a fractional since seq', { action: 'subscribe', symbols: ['AAPL'], since: { AAPL: 1.5 } }, 'BAD_REQUEST'],
    ['a string since seq', { action: 'subscribe', symbols: ['AAPL'], since: { AAPL: '3' } }, 'BAD_REQUEST'],
    ['a since seq beyond safe integers', { action: 'subscribe', symbols: ['AAPL'], since: { AAPL: 2 ** 53 } }, 'BAD_REQUEST'],
    ['since naming a symbol not subscribed', { action: 'subscribe', symbols: ['AAPL'], since: { MSFT: 1 } }, 'BAD_REQUEST'],
  ];

  for (const [what, input, code] of cases) {
    it(`maps ${what} to ${code} with a message`, () => {
      const result = parse(input);
      expect(result).toMatchObject({ error: code });
      expect('message' in result && typeof result.message === 'string' && result.message.length > 0).toBe(true);
    });
  }

  it('names the offending `since` key in the message', () => {
    expect(parse({ action: 'subscribe', symbols: ['AAPL'], since: { msft: 1 } })).toMatchObject({ message: expect.stringContaining('since.msft') });
  });

  it('keeps an unknown action name short in the message', () => {
    const result = parse({ action: 'x'.repeat(10_000) });
    expect('message' in result && result.message.length < 200).toBe(true);
  });
});

describe('the one symbol rule', () => {
  it('accepts what configuration, ticks, tail and the socket accept, and nothing else', () => {
    for (const ok of ['AAPL', 'BRK.B', 'BF-B', 'X', 'A'.repeat(15)]) expect(isValidSymbol(ok)).toBe(true);
    for (const bad of ['', 'aapl', '1ABC', '.A', 'A'.repeat(16), 'AA PL', 'A/B']) expect(isValidSymbol(bad)).toBe(false);
  });

  it('leaves a malformed name to the gateway (UNKNOWN_SYMBOL, the rest subscribed), upper-casing names', () => {
    expect(parse({ action: 'subscribe', symbols: ['brk.b', 'AA PL'] })).toMatchObject({ action: 'subscribe', symbols: ['BRK.B', 'AA PL'] });
    expect(parse(['*'])).toEqual({ action: 'replace', symbols: ['*'] });
  });
});

describe('server messages', () => {
  it('encodes a tick as the seed-compatible superset', () => {
    const text = encodeTick({ symbol: 'AAPL', price: 150.45, size: 100, ts: Date.UTC(2024, 0, 2, 3, 4, 5), seq: 7, source: 'sim' }, 'e1');
    expect(JSON.parse(text)).toEqual({ type: 'tick', symbol: 'AAPL', price: 150.45, size: 100, seq: 7, ts: Date.UTC(2024, 0, 2, 3, 4, 5), timestamp: '2024-01-02T03:04:05.000Z', epoch: 'e1' });
  });

  it('builds control replies with the id only when the request had one', () => {
    expect(subscribedMessage(['AAPL'], 'e1', undefined)).toEqual({ type: 'subscribed', symbols: ['AAPL'], epoch: 'e1' });
    expect(subscribedMessage(['AAPL'], 'e1', { AAPL: true }, 'r1')).toEqual({ type: 'subscribed', symbols: ['AAPL'], epoch: 'e1', recovered: { AAPL: true }, id: 'r1' });
    expect(errorMessage('BAD_JSON', 'no', 0)).toEqual({ type: 'error', code: 'BAD_JSON', message: 'no', id: 0 });
    expect(pongMessage(5)).toEqual({ type: 'pong', ts: 5 });
  });

  it('decodes frames, ignoring what is not a typed object, and flattens batches', () => {
    expect(decodeServerMessage('nope')).toBeUndefined();
    expect(decodeServerMessage('[1]')).toBeUndefined();
    expect(decodeServerMessage('{"no":"type"}')).toBeUndefined();
    const batch = decodeServerMessage('{"type":"ticks","data":[{"type":"tick","symbol":"A","seq":1},{"type":"tick","symbol":"A","seq":2}]}');
    expect(batch && ticksOf(batch).map((t) => t.seq)).toEqual([1, 2]);
    expect(ticksOf(pongMessage(1))).toEqual([]);
  });
});
