// @ts-check
// Analytics: ticks/s the analytics role sustains with the full indicator set (SMA and EMA 9/20/50/200,
// RSI 14, MACD 12/26/9, Bollinger 20/2, VWAP, ATR 14, volatility 20) on every candle interval
// (1s, 1m, 5m, 1h), and its CPU per tick. Uses tickstream's own classes from dist/: the role's
// batch handler (AnalyticsService.handle) on the in-memory price store, fed by the market model in
// batches as the log delivers them; the store writes are part of the cost. One thread, like the role.
//   node bench/analytics.mjs [--ticks 200000] [--symbols 100] [--batch 500]
// Prints one JSON line.
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const dist = (p) => import(`${ROOT}dist/${p}`);
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const TICKS = arg('ticks', 200_000);
const SYMBOLS = arg('symbols', 100);
const BATCH = arg('batch', 500);

const { Market } = await dist('domain/price-model.js');
const { seededRandom } = await dist('domain/random.js');
const { MemoryPriceStore } = await dist('adapters/memory/memory-price-store.js');
const { MemoryEventLog } = await dist('adapters/memory/memory-event-log.js');
const { AnalyticsService } = await dist('services/analytics.js');
const { DEFAULT_INDICATOR_SPEC } = await dist('domain/analytics/catalogue.js');
const { createMetrics } = await dist('observability/metrics.js');
const { createLogger } = await dist('observability/logger.js');

const symbols = Array.from({ length: SYMBOLS }, (_, i) => `SYM${String(i).padStart(3, '0')}`);
const market = new Market(symbols.map((symbol) => ({ symbol, basePrice: 100, drift: 0.05, volatility: 0.3 })), seededRandom(42), { speed: 60, source: 'bench' });
// Market time runs 50 ms per tick batch step, so 1s candles close often and every interval fills up.
let clock = Date.UTC(2024, 0, 2, 14, 0, 0);
const batches = [];
for (let made = 0; made < TICKS; made += BATCH) {
  const records = [];
  for (let i = 0; i < Math.min(BATCH, TICKS - made); i++) {
    clock += 5;
    const tick = market.next(clock);
    records.push({ key: tick.symbol, value: tick, partition: 0, offset: String(made + i) });
  }
  batches.push(records);
}

const store = new MemoryPriceStore({ historyLimit: 1000, candleLimit: 500 });
const service = new AnalyticsService({
  log: new MemoryEventLog({ partitions: 1, retention: 1000 }),
  store,
  spec: DEFAULT_INDICATOR_SPEC,
  candleLimit: 500,
  maxBatch: BATCH,
  moversEveryMs: 3_600_000,
  metrics: createMetrics({ defaultMetrics: false }),
  logger: createLogger({ level: 'silent', format: 'json' }),
});
await service.start();

const cpu0 = process.cpuUsage();
const t0 = performance.now();
let points = 0;
for (const records of batches) points += (await service.handle(records)).length;
await service.storeWindowStats();
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
await service.stop();
console.log(
  JSON.stringify({
    ticks: TICKS,
    symbols: SYMBOLS,
    intervals: 4,
    indicators: DEFAULT_INDICATOR_SPEC.smaPeriods.length + DEFAULT_INDICATOR_SPEC.emaPeriods.length + 6,
    batch: BATCH,
    seconds,
    perSecond: TICKS / seconds,
    cpuMicrosPerTick: (cpu.user + cpu.system) / TICKS,
    pointsStored: points,
  }),
);
