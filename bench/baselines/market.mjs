// @ts-check
// The baselines' tick source: the same open-loop cadence as tickstream's GeneratorService
// (a timer every max(1, min(100, 1000/rate)) ms makes every tick due since start, at most one
// second's worth per turn; what could not be made in time is skipped), `ts` stamped at creation,
// `seq` consecutive per symbol, symbol drawn uniformly, wire fields in tickstream's order.
import { clearInterval, setInterval } from 'node:timers';

export function startMarket({ symbols, rate, onTick }) {
  const market = { generated: 0, stop() {} };
  if (!(rate > 0)) return market;
  const startedAt = Date.now();
  let produced = 0;
  const prices = symbols.map((_, i) => 50 + ((i * 37) % 400));
  const seqs = symbols.map(() => 0);
  const intervalMs = Math.max(1, Math.min(100, 1000 / rate));
  const timer = setInterval(() => {
    const now = Date.now();
    const due = Math.floor(((now - startedAt) / 1000) * rate) - produced;
    if (due <= 0) return;
    const count = Math.min(due, Math.ceil(rate));
    produced += due;
    market.generated += count;
    const timestamp = new Date(now).toISOString();
    for (let n = 0; n < count; n++) {
      const i = Math.floor(Math.random() * symbols.length);
      prices[i] *= 1 + (Math.random() - 0.5) * 0.001;
      seqs[i] += 1;
      onTick({
        type: 'tick',
        symbol: symbols[i],
        price: Math.round(prices[i] * 100) / 100,
        size: 100 * (1 + Math.floor(Math.random() * 5)),
        seq: seqs[i],
        ts: now,
        timestamp,
      });
    }
  }, intervalMs);
  market.stop = () => clearInterval(timer);
  return market;
}

/** `/stats`: event-loop delay p99 since the last call (10 ms resolution, as prom-client's), memory. */
export async function statsHandler() {
  const { monitorEventLoopDelay } = await import('node:perf_hooks');
  const eld = monitorEventLoopDelay({ resolution: 10 });
  eld.enable();
  return (extra) => {
    const body = JSON.stringify({ eldP99Ms: eld.percentile(99) / 1e6, eldMaxMs: eld.max / 1e6, rss: process.memoryUsage.rss(), ...extra() });
    eld.reset();
    return body;
  };
}

export function envConfig() {
  return {
    port: Number(process.env.PORT ?? 8090),
    host: process.env.HOST ?? '127.0.0.1',
    symbols: (process.env.SYMBOLS ?? 'AAPL').split(','),
    rate: Number(process.env.TICK_RATE ?? 50),
  };
}
