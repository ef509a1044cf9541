// @ts-check
// One fan-out run: a server, the same clients, the same open-loop rate; a warm-up, then a window
// in which the clients record latency and loss and the server's CPU, RSS and counters are read.
import { clearInterval, setInterval } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { sleep, startWorker } from './proc.mjs';
import { startServer } from './servers.mjs';
import { offeredPerSecond } from './symbols.mjs';

const WORKER = fileURLToPath(new URL('../load/worker.mjs', import.meta.url));

/**
 * @param {object} o
 * @param {'tickstream'|'b1'|'b2'} o.kind
 * @param {string[]} o.symbols
 * @param {string[][]} o.subscriptions one symbol list per client
 * @param {number} o.rate ticks per second over all symbols
 * @param {Set<number>} [o.slow] clients that stop reading right after their handshake
 * @param {string[][]} [o.extra] more clients (e.g. firehose ones), appended after `subscriptions`
 * @param {string} [o.label] the run's name in the tables
 * @param {number} o.warmMs before measuring
 * @param {number} o.measureMs the measured window
 * @param {boolean} [o.batch] clients opt into batched frames
 * @param {Record<string, string>} [o.env] settings for the server
 * @param {number} [o.staleLimitMs] a symbol older than this on a client counts as stale
 * @param {string[]} [o.nodeArgs] for the server's node
 * @param {number} [o.connectDeadlineMs] all clients connected by then, or the run fails
 * @param {boolean} [o.deferSubscribe] connect everyone first, subscribe after
 * @returns {Promise<any>} the run's figures (see bench/README.md)
 */
export async function fanout(o) {
  const { kind, symbols, subscriptions, rate, warmMs, measureMs, slow = new Set(), extra = [], batch = false, env = {}, staleLimitMs = 200, label, nodeArgs = [], connectDeadlineMs = 90_000, deferSubscribe = false } = o;
  const started = Date.now();
  /** @type {{ symbols: string[], slow?: boolean, observer?: boolean }[]} */
  const list = [...subscriptions, ...extra].map((syms, i) => ({ symbols: syms, slow: slow.has(i) }));
  list.push({ symbols, observer: true }); // sees every tick: the staleness check looks up skipped ticks' ts
  /** @type {Record<string, any>} */
  const result = {
    label: label ?? kind,
    kind,
    clients: subscriptions.length + extra.length,
    symbolsPerClient: subscriptions[subscriptions.length - 1]?.length ?? 0,
    symbols: symbols.length,
    rate,
    batch,
    env,
    slowClients: slow.size,
    offeredPerSecond: offeredPerSecond([...subscriptions, ...extra], symbols.length, rate),
  };
  const rssSeries = [];
  let rssTimer;
  let server;
  try {
    server = await startServer(kind, { symbols, rate, env, nodeArgs });
  } catch (error) {
    return { ...result, error: `server did not start: ${error instanceof Error ? error.message : String(error)}`, serverAlive: false };
  }
  const worker = startWorker(WORKER);
  try {
    result.connect = await worker.request(
      'connect',
      { port: server.port, kind: kind === 'b2' ? 'sio' : 'raw', list, wave: kind === 'b2' ? 100 : 400, symbols: symbols.length, query: batch ? '&batch=1' : '', deadlineMs: connectDeadlineMs, deferSubscribe },
      connectDeadlineMs + 60_000,
    );
    if (deferSubscribe) result.subscribe = await worker.request('subscribe', { kind: kind === 'b2' ? 'sio' : 'raw', list }, 120_000);
    result.deferSubscribe = deferSubscribe;
    const t0 = Date.now();
    const sampleRss = () => rssSeries.push([Math.round((Date.now() - t0) / 100) / 10, Math.round(server.rss() / 1e5) / 10]);
    sampleRss();
    rssTimer = setInterval(sampleRss, 1000);
    await sleep(warmMs);
    const before = await server.stats();
    const cpu0 = server.cpu();
    await worker.request('start', { staleLimitMs });
    await sleep(measureMs);
    const w = await worker.request('stop', {}, 60_000);
    const cpu1 = server.cpu();
    const after = await server.stats();
    clearInterval(rssTimer);
    sampleRss();
    const cpu = cpu1 - cpu0;
    Object.assign(result, {
      seconds: w.seconds,
      delivered: w.received,
      deliveredPerSecond: w.perSecond,
      // Offered to the healthy clients that are connected: rate/S ticks per symbol per second each.
      healthyOfferedPerSecond: (w.healthySubscriptions * rate) / symbols.length,
      deliveredRatio: w.perSecond / ((w.healthySubscriptions * rate) / symbols.length),
      healthyClients: w.healthyClients,
      sourceTicksPerSecond: (after.generated - before.generated) / w.seconds,
      latencyMs: w.latencyMs,
      stalenessMs: w.stalenessMs,
      missing: w.skipped,
      missingRatio: w.expected > 0 ? w.skipped / w.expected : 0,
      dups: w.dups,
      starvedPairs: w.starvedPairs,
      starvedClients: w.starvedClients,
      silentClients: w.silentClients,
      unexpectedCloses: w.unexpectedCloses,
      closes: w.closes,
      socketErrors: w.socketErrors,
      conflated: after.conflated - before.conflated,
      slowCloses: after.slowCloses - before.slowCloses,
      serverCpuSeconds: cpu,
      serverCores: cpu / w.seconds,
      cpuSecondsPerMillion: w.received > 0 ? cpu / (w.received / 1e6) : null,
      eldP99Ms: after.eldP99Ms,
      loadCores: w.loadCpuCores,
      serverAlive: server.alive(),
      rssMB: summarizeRss(rssSeries),
      rssSeries,
    });
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
    result.serverAlive = server.alive();
    result.rssMB = summarizeRss(rssSeries);
    result.rssSeries = rssSeries;
  } finally {
    clearInterval(rssTimer);
    await worker.close();
    await server.stop();
  }
  result.wallSeconds = (Date.now() - started) / 1000;
  return result;
}

/** First, max, last; and the growth over the second half of the samples (MB/s). */
function summarizeRss(series) {
  const ok = series.filter(([, mb]) => Number.isFinite(mb));
  if (ok.length === 0) return null;
  const values = ok.map(([, mb]) => mb);
  const half = ok.slice(Math.floor(ok.length / 2));
  const [ta, ma] = half[0];
  const [tb, mb] = half[half.length - 1];
  return { first: values[0], max: Math.max(...values), last: values[values.length - 1], secondHalfSlopeMBps: tb > ta ? (mb - ma) / (tb - ta) : 0 };
}
