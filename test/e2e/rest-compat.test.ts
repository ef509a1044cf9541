import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANDLE_INTERVAL_NAMES } from '../../src/domain/candles.js';
import { startServer, type RunningServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';

const SYMBOLS = ['AAPL', 'GOOGL', 'MSFT', 'AMZN', 'TSLA'];
let server: RunningServer;

const get = async (path: string) => {
  const res = await fetch(server.http + path);
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : undefined };
};

beforeAll(async () => {
  server = await startServer({ SYMBOLS: SYMBOLS.join(','), TICK_RATE: '200' });
  await waitFor(async () => Object.keys(((await get('/prices')).body?.data as object) ?? {}).length === SYMBOLS.length, 'a price for every symbol');
});
afterAll(async () => {
  await server?.stop();
});

describe('routes of reference/stock-streaming-kafka-redis-ws.md keep their shapes', () => {
  it('GET /prices: every symbol → price, in the envelope', async () => {
    const { status, body } = await get('/prices');
    expect(status).toBe(200);
    expect(Object.keys(body!).sort()).toEqual(['data', 'message', 'success']);
    expect(body!.message).toBe('successfully send all the prices');
    expect(body!.success).toBe(true);
    const data = body!.data as Record<string, unknown>;
    expect(Object.keys(data).sort()).toEqual([...SYMBOLS].sort());
    for (const price of Object.values(data)) expect(typeof price).toBe('number');
  });

  it('GET /price/:symbol: exactly {symbol, price}', async () => {
    const { status, body } = await get('/price/AAPL');
    expect(status).toBe(200);
    expect(body!.message).toBe('successfully send price for the symbol');
    expect(body!.success).toBe(true);
    const data = body!.data as Record<string, unknown>;
    expect(Object.keys(data).sort()).toEqual(['price', 'symbol']);
    expect(data.symbol).toBe('AAPL');
    expect(data.price).toBeGreaterThan(0);
  });

  it('GET /price/history/:symbol/:limit: newest-first prices, at most limit', async () => {
    await waitFor(async () => ((await get('/api/v1/ticks/MSFT?limit=20')).body?.ticks as unknown[]).length >= 12, '12 MSFT ticks');
    const history = await get('/price/history/MSFT/10');
    const ticks = (await get('/api/v1/ticks/MSFT?limit=1000')).body!.ticks as { price: number; seq: number }[];
    expect(history.status).toBe(200);
    expect(history.body!.message).toBe('successfully send price history');
    const prices = history.body!.data as number[];
    expect(prices).toHaveLength(10);
    // The ten prices are a run of consecutive ticks, newest first (more may have arrived since).
    const all = ticks.map((t) => t.price);
    const start = all.findIndex((_, i) => prices.every((p, k) => all[i + k] === p));
    expect(start).toBeGreaterThanOrEqual(0);
    expect(ticks[0]!.seq).toBeGreaterThan(ticks[1]!.seq);
  });

  it('unknown symbol: 404 in the same envelope with success false', async () => {
    for (const path of ['/price/NOPE', '/price/history/NOPE/5']) {
      const { status, body } = await get(path);
      expect(status).toBe(404);
      expect(body).toMatchObject({ data: null, success: false, code: 'UNKNOWN_SYMBOL' });
      expect(typeof body!.message).toBe('string');
    }
  });

  it('bad history limit: 400 INVALID_LIMIT in the envelope', async () => {
    for (const limit of ['0', 'ten', '-3']) {
      const { status, body } = await get(`/price/history/AAPL/${limit}`);
      expect(status).toBe(400);
      expect(body).toMatchObject({ success: false, data: null, code: 'INVALID_LIMIT' });
    }
  });

  it('symbols are case-insensitive', async () => {
    const { status, body } = await get('/price/aapl');
    expect(status).toBe(200);
    expect((body!.data as { symbol: string }).symbol).toBe('AAPL');
  });
});

describe('/api/v1', () => {
  it('quotes carry the day statistics', async () => {
    const { body } = await get('/api/v1/quotes/TSLA');
    const q = body as { price: number; open: number; high: number; low: number; change: number; vwap: number };
    expect(q.low).toBeLessThanOrEqual(q.price);
    expect(q.high).toBeGreaterThanOrEqual(q.price);
    expect(q.change).toBeCloseTo(q.price - q.open, 6);
    expect(q.vwap).toBeGreaterThanOrEqual(q.low);
    expect(q.vwap).toBeLessThanOrEqual(q.high);
    const all = (await get('/api/v1/quotes')).body!.quotes as { symbol: string }[];
    expect(all.map((x) => x.symbol)).toEqual([...SYMBOLS].sort());
  });

  it('candles by interval, oldest first, with a bounded limit', async () => {
    const { status, body } = await get('/api/v1/candles/AAPL?interval=1s&limit=5');
    expect(status).toBe(200);
    const candles = body!.candles as { time: number; open: number; high: number; low: number; close: number; volume: number }[];
    expect(candles.length).toBeGreaterThan(0);
    expect(candles.length).toBeLessThanOrEqual(5);
    for (const c of candles) {
      expect(c.time % 1000).toBe(0);
      expect(c.low).toBeLessThanOrEqual(Math.min(c.open, c.close));
      expect(c.high).toBeGreaterThanOrEqual(Math.max(c.open, c.close));
    }
    for (let i = 1; i < candles.length; i++) expect(candles[i]!.time).toBeGreaterThan(candles[i - 1]!.time);
    // One message naming the allowed values (not "must be equal to constant" once per value).
    expect((await get('/api/v1/candles/AAPL?interval=2m')).body).toEqual({
      error: { code: 'INVALID_INTERVAL', message: `querystring/interval: must be one of ${CANDLE_INTERVAL_NAMES.join(', ')}.` },
    });
    expect((await get('/api/v1/candles/AAPL?limit=100000')).body).toMatchObject({ error: { code: 'INVALID_LIMIT' } });
    expect((await get('/api/v1/candles/NOPE')).status).toBe(404);
  });

  it('movers: gainers up, losers down, most active by volume', async () => {
    const { body } = await get('/api/v1/movers?limit=3');
    const m = body as Record<string, { changePercent: number; volume: number }[]>;
    for (const q of m.gainers!) expect(q.changePercent).toBeGreaterThan(0);
    for (const q of m.losers!) expect(q.changePercent).toBeLessThan(0);
    expect(m.mostActive!.length).toBe(3);
    for (let i = 1; i < m.mostActive!.length; i++) expect(m.mostActive![i - 1]!.volume).toBeGreaterThanOrEqual(m.mostActive![i]!.volume);
  });

  it('OpenAPI document and the /docs page describe the API', async () => {
    const spec = (await get('/docs/json')).body as { openapi: string; paths: Record<string, unknown> };
    expect(spec.openapi).toMatch(/^3\./);
    for (const path of ['/prices', '/price/{symbol}', '/api/v1/quotes', '/api/v1/candles/{symbol}', '/api/v1/movers', '/health', '/ready']) {
      expect(Object.keys(spec.paths)).toContain(path);
    }
    const page = await get('/docs/');
    expect(page.status).toBe(200);
    expect(page.type).toContain('text/html');
  });

  it('unknown routes answer 404 NOT_FOUND', async () => {
    expect((await get('/api/v1/nothing')).body).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});

describe('operations', () => {
  it('health and readiness', async () => {
    expect((await get('/health')).body).toMatchObject({ status: 'healthy', metrics: { connectedClients: expect.any(Number), messagesPerSecond: expect.any(Number), uptime: expect.any(Number) } });
    // The embedded database opens in the background after the start line (slow on a loaded machine).
    await waitFor(async () => (await fetch(`${server.http}/ready`)).status === 200, 'the database to be ready', 110_000, 100);
    expect((await get('/ready')).body).toEqual({ status: 'ready', checks: { process: 'ok', eventLog: 'ok', store: 'ok', pubsub: 'ok', userEvents: 'ok', orderQueue: 'ok', database: 'ok' } });
  });

  it('Prometheus metrics count the pipeline', async () => {
    const { type, text } = await get('/metrics');
    expect(type).toContain('text/plain');
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('tickstream_ticks_generated_total')).toBeGreaterThan(0);
    expect(value('tickstream_ticks_processed_total')).toBeGreaterThan(0);
    expect(value('tickstream_ticks_published_total')).toBeGreaterThan(0);
    for (const name of ['tickstream_ws_connections', 'tickstream_ws_frames_sent_total', 'tickstream_ws_ticks_conflated_total', 'tickstream_ws_slow_consumer_closes_total', 'tickstream_tick_age_at_send_seconds_bucket']) {
      expect(text).toContain(name);
    }
  });
});
