// Orders end to end on a running tickstream: POST /api/v1/orders (a market buy of one share) →
// the `order` message with status `filled` on the owner's authenticated socket. The server fills a
// market order at the next tick of its symbol, so the tick rate sets a floor under the latency.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

const pct = (sorted, p) => (sorted.length === 0 ? undefined : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);

/**
 * Keep-alive connections for the submissions. node:http, not fetch: fetch cost the load generator
 * ~0.8 ms of CPU per order, a third of the machine's work at these rates, taken from the server's.
 */
const keepAlive = () => new http.Agent({ keepAlive: true, maxSockets: 256 });

/** POST JSON; the parsed answer (read loosely: `token` of a registration, `id` of an order). @returns {Promise<any>} */
function post(agent, base, path, body, headers = {}) {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(`${base}${path}`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers } }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        let json;
        try {
          json = JSON.parse(Buffer.concat(chunks).toString());
        } catch {
          json = undefined;
        }
        const status = response.statusCode ?? 0;
        if (status < 200 || status >= 300) reject(new Error(`${path}: ${status} ${JSON.stringify(json)}`));
        else resolve(json);
      });
    });
    request.on('error', reject);
    request.end(payload);
  });
}

/** A registered user with an authenticated socket whose `order` messages resolve waiters by id. */
async function trader(agent, port, name) {
  const base = `http://127.0.0.1:${port}`;
  const { token } = await post(agent, base, '/api/v1/auth/register', { username: name, password: 'bench password of some length' });
  // `?symbols=`: no ticks, only its own order and portfolio messages (`/ws` alone streams every symbol).
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws?symbols=`);
  const filled = new Map();
  const early = new Set();
  socket.on('error', () => {}); // a refused or dropped socket shows as orders that never fill
  await new Promise((/** @type {(value?: unknown) => void} */ resolve, reject) => {
    socket.once('open', () => socket.send(JSON.stringify({ action: 'auth', token })));
    socket.once('close', () => reject(new Error('socket closed before authenticating')));
    socket.on('message', (data) => {
      const m = JSON.parse(String(data));
      if (m.type === 'authenticated') resolve();
      if (m.type === 'order' && m.order.status === 'filled') {
        const done = filled.get(m.order.id);
        if (done) done(performance.now());
        else early.add(m.order.id);
      }
    });
  });
  return {
    /** Submits an order as this user. */
    order: (body) => post(agent, base, '/api/v1/orders', body, { authorization: `Bearer ${token}` }),
    /** Resolves with the time the fill message arrived (it may come before the REST answer). */
    fill(id) {
      if (early.delete(id)) return Promise.resolve(performance.now());
      return new Promise((resolve) => filled.set(id, resolve));
    },
    close: () => socket.close(),
  };
}

/**
 * `count` orders spread over `users` accounts (each order locks its owner's account row, so one
 * account serializes its orders). Closed loop by default: at most `inflight` at once, the next as
 * one ends, so the rate is what the server sustains and latency is inflight / rate by construction.
 * With `rate`, open loop: order n is due at n / rate seconds whatever the answers before it, and
 * its latency counts from when it was due (a late start is the server's delay too, not hidden by
 * the generator waiting). Latency: submit → the `filled` message. `warmup` orders go first, closed
 * loop, and are not counted: the first orders of a fresh server wait for its code to be compiled
 * (JIT, the embedded database's first statements), which says nothing about the rate it then
 * sustains. `onMeasureStart` is called as the counted ones start.
 * @param {{ port: number, count: number, inflight: number, users: number, symbols: string[], rate?: number, warmup?: number, deadlineMs?: number, onMeasureStart?: () => void }} o
 */
export async function submitToFill({ port, count, inflight, users, symbols, rate, warmup = 0, deadlineMs = 120_000, onMeasureStart = () => {} }) {
  const run = Math.random().toString(36).slice(2, 8);
  const agent = keepAlive();
  const traders = await Promise.all(Array.from({ length: users }, (_, i) => trader(agent, port, `bench${run}u${i}`)));
  try {
    if (warmup > 0) await drive({ traders, symbols, count: warmup, inflight, deadlineMs });
    onMeasureStart();
    const r = await drive({ traders, symbols, count, inflight, rate, deadlineMs });
    return { orders: count, warmup, ...r, ...(rate ? { offered: rate } : { inflight }), users, perSecond: r.filled / r.seconds };
  } finally {
    for (const t of traders) t.close();
    agent.destroy();
  }
}

/** @param {{ traders: any[], symbols: string[], count: number, inflight: number, rate?: number, deadlineMs: number }} o */
async function drive({ traders, symbols, count, inflight, rate, deadlineMs }) {
  const latencies = [];
  const answers = [];
  let failed = 0;
  /** Why submissions failed: each distinct answer once, with its count. */
  const refusals = new Map();
  let timedOut = 0;
  const t0 = performance.now();
  const deadline = t0 + deadlineMs;
  /** Order n, counted from `due`. */
  const one = async (n, due) => {
    const t = traders[n % traders.length];
    let order;
    try {
      order = await t.order({ symbol: symbols[n % symbols.length], side: 'buy', type: 'market', quantity: 1 });
      answers.push(performance.now() - due);
    } catch (error) {
      failed++;
      const why = error instanceof Error ? error.message : String(error);
      refusals.set(why, (refusals.get(why) ?? 0) + 1);
      return;
    }
    let timer;
    const at = await Promise.race([t.fill(order.id), new Promise((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - performance.now()), undefined)))]);
    clearTimeout(timer);
    if (at === undefined) timedOut++;
    else latencies.push(at - due);
  };
  if (rate) {
    const pending = [];
    for (let n = 0; n < count; n++) {
      const due = t0 + (n * 1000) / rate;
      const early = due - performance.now();
      // Timers fire a millisecond or more late: orders due meanwhile go together when it does.
      if (early >= 1) await new Promise((resolve) => setTimeout(resolve, early));
      pending.push(one(n, due));
    }
    await Promise.all(pending);
  } else {
    let next = 0;
    await Promise.all(
      Array.from({ length: inflight }, async () => {
        while (next < count) await one(next++, performance.now());
      }),
    );
  }
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  answers.sort((a, b) => a - b);
  // The REST answer's share of the latency: submit → 201 (the command is confirmed by the queue by then).
  return { filled: latencies.length, failed, ...(failed > 0 ? { refusals: Object.fromEntries(refusals) } : {}), timedOut, seconds, p50: pct(latencies, 50), p99: pct(latencies, 99), max: latencies.at(-1), answerP50: pct(answers, 50), answerP99: pct(answers, 99) };
}
