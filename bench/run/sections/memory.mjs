// @ts-check
// RSS per idle connection (clients subscribed, no ticks flowing), after forced GCs: the slope
// between half and all of the connections, so the heap's fixed growth on the first connections
// is not charged to each; the plain (all − none) / n is reported beside it.
import { fileURLToPath } from 'node:url';
import { sleep, startWorker } from '../../lib/proc.mjs';
import { f1, f2 } from '../../lib/report.mjs';
import { SERVER_NAMES, startServer } from '../../lib/servers.mjs';

const WORKER = fileURLToPath(new URL('../../load/worker.mjs', import.meta.url));

/** @param {import('../context.mjs').BenchRun} run */
export async function sectionMemory({ P, options, symbols, subscriptionsFor, results, log }) {
  const subscriptions = subscriptionsFor(P.memoryClients);
  const half = Math.floor(subscriptions.length / 2);
  /** @type {any[]} */
  const runs = (results.sections.memory = []);
  for (const kind of P.memoryServers) {
    const server = await startServer(kind, { symbols, rate: kind === 'tickstream' ? 0.01 : 0, gc: true });
    const worker = startWorker(WORKER);
    /** @type {any} */
    const r = { kind, label: SERVER_NAMES[kind], clients: subscriptions.length };
    // GC until RSS stops moving (V8 hands pages back lazily, over several collections).
    const settledRss = async (/** @type {number} */ waitMs) => {
      await sleep(waitMs);
      let prev = Infinity;
      let rss = Infinity;
      for (let i = 0; i < 10; i++) {
        server.gc();
        await sleep(400);
        rss = server.rss();
        if (Math.abs(rss - prev) < 256 * 1024) break;
        prev = rss;
      }
      return Math.min(rss, prev);
    };
    const connect = (/** @type {number} */ from, /** @type {string[][]} */ list) =>
      worker.request('connect', { port: server.port, kind: kind === 'b2' ? 'sio' : 'raw', list: list.map((s) => ({ symbols: s })), from, total: subscriptions.length, wave: 200, symbols: symbols.length }, 180_000);
    const settleMs = options.quick ? 1000 : 2000;
    try {
      r.rssBefore = await settledRss(500);
      const a = await connect(0, subscriptions.slice(0, half));
      r.rssHalf = await settledRss(settleMs);
      const b = await connect(half, subscriptions.slice(half));
      r.rssAfter = await settledRss(settleMs);
      r.connect = { ok: a.ok + b.ok, failed: a.failed + b.failed, ms: a.ms + b.ms };
      r.bytesPerConnection = (r.rssAfter - r.rssHalf) / b.ok;
      r.bytesPerConnectionOverall = (r.rssAfter - r.rssBefore) / r.connect.ok;
      log(`${r.label}: ${r.connect.ok} idle connections, RSS ${f1(r.rssBefore / 1e6)} → ${f1(r.rssHalf / 1e6)} → ${f1(r.rssAfter / 1e6)} MB = ${f2(r.bytesPerConnection / 1024)} KiB per connection (overall ${f2(r.bytesPerConnectionOverall / 1024)})`);
    } catch (error) {
      r.error = error instanceof Error ? error.message : String(error);
      log(`${r.label}: memory run failed: ${r.error}`);
    } finally {
      await worker.close();
      await server.stop();
    }
    runs.push(r);
  }
  return runs;
}
