import { describe, expect, it } from 'vitest';
import { parseClientMessage, selectionOf, seriesOf } from '../../src/protocol/index.js';

const parse = (value: unknown) => parseClientMessage(JSON.stringify(value));

describe('parseClientMessage: indicator subscriptions', () => {
  it('reads streams per symbol: upper-cased symbols, lower-cased names, repeats dropped, the default snapshot limit', () => {
    const parsed = parse({ action: 'subscribe', indicators: { aapl: ['1m:SMA:20', '1m:sma:20', '5m:macd:12:26:9'] }, id: 3 });
    expect(parsed).toMatchObject({ action: 'subscribeIndicators', limit: 200, id: 3 });
    if (!('indicators' in parsed)) throw new Error('not parsed');
    expect(selectionOf(parsed.indicators)).toEqual({ AAPL: ['1m:sma:20', '5m:macd:12:26:9'] });
    expect(parse({ action: 'subscribe', indicators: { A: ['1s:vwap'] }, limit: 0 })).toMatchObject({ limit: 0 });
    expect(parse({ action: 'unsubscribe', indicators: { A: ['1h:rsi:14'] } })).toMatchObject({ action: 'unsubscribeIndicators' });
  });

  it('maps each malformed request to its stable code', () => {
    const cases: [unknown, string][] = [
      [{ A: ['2m:sma:9'] }, 'INVALID_INTERVAL'],
      [{ A: ['sma:9'] }, 'INVALID_INTERVAL'],
      [{ A: ['1m'] }, 'BAD_REQUEST'],
      [{ A: ['1m:'] }, 'BAD_REQUEST'],
      [{ A: [] }, 'BAD_REQUEST'],
      [{ A: '1m:sma:9' }, 'BAD_REQUEST'],
      [{ A: [7] }, 'BAD_REQUEST'],
      [{}, 'BAD_REQUEST'],
      [['1m:sma:9'], 'BAD_REQUEST'],
      [{ A: Array.from({ length: 201 }, (_, i) => `1m:sma:${i}`) }, 'BAD_REQUEST'],
    ];
    for (const [indicators, code] of cases) expect(parse({ action: 'subscribe', indicators, id: 'x' }), JSON.stringify(indicators)).toMatchObject({ error: code, id: 'x' });
    expect(parse({ action: 'subscribe', symbols: ['A'], indicators: { A: ['1m:vwap'] } })).toMatchObject({ error: 'BAD_REQUEST' });
    for (const limit of [-1, 1.5, '10', 100_001]) expect(parse({ action: 'subscribe', indicators: { A: ['1m:vwap'] }, limit })).toMatchObject({ error: 'INVALID_LIMIT' });
  });

  it('builds a snapshot series as REST does: per name, oldest first, warming-up candles left out', () => {
    const points: { time: number; values: Record<string, number> }[] = [
      { time: 1, values: { 'sma:2': 5 } },
      { time: 2, values: { 'sma:2': 6, 'rsi:14': 50 } },
    ];
    expect(seriesOf(points, ['sma:2', 'rsi:14'])).toEqual({ 'sma:2': [{ time: 1, value: 5 }, { time: 2, value: 6 }], 'rsi:14': [{ time: 2, value: 50 }] });
  });
});
