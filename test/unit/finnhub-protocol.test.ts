import { describe, expect, it } from 'vitest';
import { errorKind, parseFinnhubMessage, readTrade } from '../../src/adapters/ingest/finnhub-protocol.js';
import { RepeatFilter } from '../../src/domain/ingest/repeat-filter.js';

describe('Finnhub protocol', () => {
  it('reads the documented messages and nothing else', () => {
    expect(parseFinnhubMessage('{"type":"trade","data":[{"s":"AAPL","p":1,"t":2,"v":3,"c":["1"]}]}')).toEqual({ type: 'trade', data: [{ s: 'AAPL', p: 1, t: 2, v: 3, c: ['1'] }] });
    expect(parseFinnhubMessage('{"type":"ping"}')).toEqual({ type: 'ping' });
    expect(parseFinnhubMessage('{"type":"error","msg":"Subscribing to too many symbols"}')).toEqual({ type: 'error', msg: 'Subscribing to too many symbols' });
    for (const bad of ['', 'null', '[]', '{"type":"trade","data":{}}', '{"type":"news"}', '{"type":']) expect(parseFinnhubMessage(bad)).toBeUndefined();
    expect(readTrade({ s: 'AAPL', p: '1', t: 2, v: 3 })).toBeUndefined();
    expect(readTrade(null)).toBeUndefined();
  });

  it('tells refused keys and rate limits from other errors', () => {
    expect(errorKind('Invalid API key')).toBe('auth');
    expect(errorKind('Subscribing to too many symbols')).toBe('rate');
    expect(errorKind('API limit reached')).toBe('rate');
    expect(errorKind('Symbol not found')).toBe('other');
  });
});

describe('RepeatFilter', () => {
  it('drops a trade seen on an earlier connection, keeps identical prints on the same one', () => {
    const filter = new RepeatFilter(3);
    const a = { symbol: 'AAPL', ts: 1, price: 10, size: 5 };
    filter.nextConnection();
    expect(filter.isRepeat(a)).toBe(false);
    expect(filter.isRepeat(a)).toBe(false);
    filter.nextConnection();
    expect(filter.isRepeat(a)).toBe(true);
    expect(filter.isRepeat({ ...a, size: 6 })).toBe(false);
    // Bounded: the oldest trades are forgotten.
    for (let i = 0; i < 3; i++) filter.isRepeat({ ...a, ts: 100 + i });
    filter.nextConnection();
    expect(filter.isRepeat(a)).toBe(false);
  });
});
