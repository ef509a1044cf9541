import { describe, expect, it } from 'vitest';
import type { ERROR_CODES } from '../../src/domain/errors.js';
import { parseClientMessage } from '../../src/servers/ws/protocol.js';

const parse = (value: unknown) => parseClientMessage(typeof value === 'string' ? value : JSON.stringify(value));

describe('parseClientMessage: valid messages', () => {
  it('parses subscribe, upper-casing symbols and `since` keys', () => {
    expect(parse({ action: 'subscribe', symbols: ['aapl', 'Msft'], since: { aapl: 12, MSFT: 0 } })).toEqual({
      action: 'subscribe',
      symbols: ['AAPL', 'MSFT'],
      since: { AAPL: 12, MSFT: 0 },
    });
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
  const cases: [string, unknown, keyof typeof ERROR_CODES][] = [
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
