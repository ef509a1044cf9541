import { ATR, BollingerBands, EMA, MACD, RSI, SMA } from 'trading-signals';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';

interface CandleBody {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}
type Series = Record<string, { time: number; value: number | Record<string, number> }[]>;

const TICKS = 1_500;
const T0 = Date.UTC(2024, 0, 2, 15, 0, 0);
let server: RunningServer;

/** Three ticks a second for 500 s of AAPL and MSFT, every 50th one late by 700 ms (out of order inside its candle). */
function market(): { symbol: string; price: number; seq: number; ts: number; size: number }[] {
  const ticks = [];
  let price = 100;
  for (let i = 0; i < TICKS; i++) {
    price = Math.round(price * (1 + Math.sin(i * 1.7) / 200) * 100) / 100;
    const ts = T0 + Math.floor(i / 3) * 1000 + (i % 3) * 300 - (i % 50 === 49 ? 700 : 0);
    for (const symbol of ['AAPL', 'MSFT']) ticks.push({ symbol, price: symbol === 'AAPL' ? price : 2 * price, seq: i + 1, ts, size: 100 + (i % 7) * 10 });
  }
  return ticks;
}

beforeAll(async () => {
  // A finite, known stream: once processed, candles and indicators stop changing and can be compared.
  server = await startServer({ ROLES: 'processor,api,analytics', TEST_TICK_INJECTION: 'true', SYMBOLS: 'AAPL,MSFT', ANALYTICS_MOVERS_MS: '100' });
  const ticks = market();
  for (let i = 0; i < ticks.length; i += 400) {
    const res = await fetch(`${server.http}/api/v1/test/ticks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ticks: ticks.slice(i, i + 400) }) });
    expect(res.status).toBe(202);
  }
});
afterAll(async () => {
  await server?.stop();
});

const get = async <T>(path: string): Promise<{ status: number; body: T }> => {
  const res = await fetch(server.http + path);
  return { status: res.status, body: (await res.json()) as T };
};

/** What a client computes from /api/v1/candles with the same library, candle by candle. */
function recompute(candles: readonly CandleBody[]): Series {
  const sma = new SMA(20);
  const ema = new EMA(50);
  const rsi = new RSI(14);
  const macd = new MACD(new EMA(12), new EMA(26), new EMA(9));
  const bb = new BollingerBands(20, 2);
  const atr = new ATR(14);
  const out: Series = { 'sma:20': [], 'ema:50': [], 'rsi:14': [], 'macd:12:26:9': [], 'bb:20:2': [], 'atr:14': [] };
  const put = (name: string, time: number, value: number | Record<string, number> | null): void => {
    if (value !== null) out[name]!.push({ time, value });
  };
  for (const c of candles) {
    put('sma:20', c.time, sma.add(c.close));
    ema.add(c.close);
    put('ema:50', c.time, ema.isStable ? ema.getResultOrThrow() : null);
    put('rsi:14', c.time, rsi.add(c.close));
    put('macd:12:26:9', c.time, macd.add(c.close));
    put('bb:20:2', c.time, bb.add(c.close));
    put('atr:14', c.time, atr.add(c));
  }
  return out;
}

describe('analytics over REST', () => {
  it('indicators per candle equal what a client recomputes from /api/v1/candles', async () => {
    await waitFor(async () => {
      const { body } = await get<{ quotes: { trades: number }[] }>('/api/v1/quotes');
      return body.quotes.reduce((a, q) => a + q.trades, 0) === 2 * TICKS;
    }, 'every generated tick processed', 30_000);
    const names = Object.keys(recompute([]));
    const path = `/api/v1/indicators/aapl?interval=1s&limit=1000&names=${names.join(',')}`;
    // The analytics role reads the log on its own group: wait until it has the newest candle's final state.
    const candles = (await get<{ candles: CandleBody[] }>('/api/v1/candles/AAPL?interval=1s&limit=1000')).body.candles;
    expect(candles.length).toBe(500);
    const expected = recompute(candles);
    const got = await waitFor(async () => {
      const { body } = await get<{ indicators: Series }>(path);
      return body.indicators['sma:20']!.at(-1)?.time === candles.at(-1)!.time && body.indicators['sma:20']!.at(-1)?.value === expected['sma:20']!.at(-1)!.value ? body : undefined;
    }, 'indicators of the last candle', 20_000);
    expect(got).toMatchObject({ symbol: 'AAPL', interval: '1s' });
    for (const name of names) {
      const series = got.indicators[name]!;
      expect(series.map((p) => p.time), name).toEqual(expected[name]!.map((p) => p.time));
      series.forEach((p, i) => {
        const want = expected[name]![i]!.value;
        if (typeof want === 'number') expect(p.value, `${name} at ${p.time}`).toBeCloseTo(want, 9);
        else for (const [k, v] of Object.entries(want)) expect((p.value as Record<string, number>)[k], `${name}.${k} at ${p.time}`).toBeCloseTo(v, 9);
      });
    }
  });

  it('unknown indicators, intervals and windows get their stable codes', async () => {
    expect(await get('/api/v1/indicators/AAPL?names=sma:21')).toMatchObject({ status: 400, body: { error: { code: 'UNKNOWN_INDICATOR' } } });
    expect(await get('/api/v1/indicators/AAPL?interval=2m&names=sma:20')).toMatchObject({ status: 400, body: { error: { code: 'INVALID_INTERVAL' } } });
    expect(await get('/api/v1/indicators/ZZZZ?names=sma:20')).toMatchObject({ status: 404, body: { error: { code: 'UNKNOWN_SYMBOL' } } });
    expect(await get('/api/v1/movers?window=2m')).toMatchObject({ status: 400, body: { error: { code: 'INVALID_WINDOW' } } });
  });

  it('movers over a window have the day movers’ lists plus unusual volume; without a window, the day’s quotes as before', async () => {
    const { status, body } = await waitFor(async () => {
      const res = await get<{ mostActive: { symbol: string; volume: number }[] }>('/api/v1/movers?window=1m');
      return res.body.mostActive?.length === 2 ? res : undefined;
    }, 'movers over 1m', 60_000);
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['gainers', 'losers', 'mostActive', 'unusualVolume', 'window']);
    const day = await get<{ gainers: unknown[]; mostActive: { symbol: string; vwap: number }[] }>('/api/v1/movers');
    expect(Object.keys(day.body).sort()).toEqual(['gainers', 'losers', 'mostActive']);
    expect(typeof day.body.mostActive[0]!.vwap).toBe('number');
  });
});
