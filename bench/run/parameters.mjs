// @ts-check
// Everything about the load; the same for every server within a run, and written into the results.

/** Sections in the order a full (or quick) run takes them: targets first, so a run cut short by the time limit still has them. */
export const FULL_SECTIONS = ['fanout', 's2', 's3', 'memory', 'ingest', 'slow', 'variants', 'analytics', 'tracing', 'orders', 'browser', 'startup'];
export const QUICK_SECTIONS = ['fanout', 'memory', 'ingest', 'analytics', 'tracing', 'orders', 'startup'];

/** @typedef {ReturnType<typeof parameters>} Parameters */

/** @param {{ quick: boolean, servers: import('./cli.mjs').ServerKind[] }} options */
export function parameters({ quick, servers }) {
  return {
    symbols: 100,
    perClient: 10,
    zipf: 1,
    s1Rate: 500,
    fanoutClients: quick ? [1000] : [1000, 5000, 10000],
    fanoutServers: servers,
    connectDeadlineMs: quick ? 30_000 : 90_000,
    warmMs: quick ? 1500 : 3000,
    measureMs: quick ? 4000 : 8000,
    /** @type {{ label: string, batch: boolean, env: Record<string, string> }[]} */
    variants: [
      { label: 'tickstream batch=1', batch: true, env: {} },
      { label: 'tickstream WS_FLUSH_MS=5', batch: false, env: { WS_FLUSH_MS: '5' } },
    ],
    s2Rates: [500, 750, 1000, 1500, 2000, 3000, 4000, 6000, 8000, 12000, 16000],
    s2Servers: servers,
    s2WarmMs: 2000,
    s2MeasureMs: 5000,
    s2P99Ms: 50,
    s3Clients: 10000,
    s3Rate: 1000,
    s3WarmMs: 3000,
    s3MeasureMs: 15000,
    s3StaleMs: 200,
    slowClients: 1000,
    slowRate: 2000,
    slowFraction: 0.01,
    slowWarmMs: 2000,
    slowMeasureMs: quick ? 8000 : 25000,
    memoryClients: quick ? 1000 : 10000,
    /** @type {import('./cli.mjs').ServerKind[]} */
    memoryServers: servers.filter((s) => s !== 'b2'),
    ingestMemoryTicks: quick ? 200_000 : 1_000_000,
    ingestRedisTicks: quick ? 30_000 : 300_000,
  };
}
