// @ts-check
// Slow consumers: 1% of the clients subscribe to every symbol ("firehose"), so that when they stop
// reading their backlog outgrows the kernel's socket buffers within the run. Reference run: they read.
import { fanout } from '../../lib/fanout.mjs';
import { SERVER_NAMES } from '../../lib/servers.mjs';
import { runLine } from '../run-line.mjs';

/** @param {import('../context.mjs').BenchRun} run */
export async function sectionSlow({ P, options, symbols, subscriptionsFor, results, log }) {
  const subscriptions = subscriptionsFor(P.slowClients);
  const firehose = Math.max(1, Math.round(P.slowClients * P.slowFraction));
  const base = subscriptions.slice(0, P.slowClients - firehose);
  // First in the list, so they are connected before anyone else.
  const clients = [...Array.from({ length: firehose }, () => symbols), ...base];
  const slow = new Set(Array.from({ length: firehose }, (_, i) => i));
  /** @type {any[]} */
  const runs = (results.sections.slow = []);
  /** @type {[import('../cli.mjs').ServerKind, boolean][]} */
  const plan = [['tickstream', false], ['tickstream', true], ['b1', false], ['b1', true]];
  for (const [kind, paused] of plan.filter(([s]) => options.servers.includes(s))) {
    const label = `${SERVER_NAMES[kind]}, ${firehose} ${paused ? 'paused' : 'reading'}`;
    const r = await fanout({ connectDeadlineMs: P.connectDeadlineMs, kind, label, symbols, subscriptions: clients, slow: paused ? slow : new Set(), rate: P.slowRate, warmMs: P.slowWarmMs, measureMs: P.slowMeasureMs });
    r.paused = paused;
    log(runLine(r), `RSS ${JSON.stringify(r.rssMB)}`);
    runs.push(r);
  }
  return runs;
}
