// Orders end to end on a running tickstream: POST /api/v1/orders (a market buy of one share) →
// the `order` message with status `filled` on the owner's authenticated socket. The server fills a
// market order at the next tick of its symbol, so the tick rate sets a floor under the latency.
/* global fetch */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

const pct = (sorted, p) => (sorted.length === 0 ? undefined : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);

/** POST JSON; the parsed answer (read loosely: `token` of a registration, `id` of an order). @returns {Promise<any>} */
async function post(base, path, body, headers = {}) {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const json = await response.json().catch(() => undefined);
  if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** A registered user with an authenticated socket whose `order` messages resolve waiters by id. */
async function trader(port, name) {
  const base = `http://127.0.0.1:${port}`;
  const { token } = await post(base, '/api/v1/auth/register', { username: name, password: 'bench password of some length' });
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`);
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
    base,
    token,
    /** Resolves with the time the fill message arrived (it may come before the REST answer). */
    fill(id) {
      if (early.delete(id)) return Promise.resolve(performance.now());
      return new Promise((resolve) => filled.set(id, resolve));
    },
    close: () => socket.close(),
  };
}

/**
 * `count` orders, at most `inflight` at once, spread over `users` accounts (each order locks its
 * owner's account row, so one account serializes its orders). Latency: submit start → fill message.
 * `warmup` orders go first, the same way, and are not counted: the first orders of a fresh server
 * wait seconds for its code to be compiled (JIT, the embedded database's first statements), which
 * says nothing about the rate it then sustains. `onMeasureStart` is called as the counted ones start.
 */
export async function submitToFill({ port, count, inflight, users, symbols, warmup = 0, deadlineMs = 120_000, onMeasureStart = () => {} }) {
  const run = Math.random().toString(36).slice(2, 8);
  const traders = await Promise.all(Array.from({ length: users }, (_, i) => trader(port, `bench${run}u${i}`)));
  try {
    if (warmup > 0) await drive({ traders, symbols, count: warmup, inflight, deadlineMs });
    onMeasureStart();
    const r = await drive({ traders, symbols, count, inflight, deadlineMs });
    return { orders: count, warmup, ...r, inflight, users, perSecond: r.filled / r.seconds };
  } finally {
    for (const t of traders) t.close();
  }
}

async function drive({ traders, symbols, count, inflight, deadlineMs }) {
  const users = traders.length;
  const latencies = [];
  const answers = [];
  let next = 0;
  let failed = 0;
  let timedOut = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inflight }, async () => {
      while (next < count) {
        const n = next++;
        const t = traders[n % users];
        const started = performance.now();
        let order;
        try {
          order = await post(t.base, '/api/v1/orders', { symbol: symbols[n % symbols.length], side: 'buy', type: 'market', quantity: 1 }, { authorization: `Bearer ${t.token}` });
          answers.push(performance.now() - started);
        } catch {
          failed++;
          continue;
        }
        const left = deadlineMs - (performance.now() - t0);
        const at = await Promise.race([t.fill(order.id), new Promise((resolve) => setTimeout(() => resolve(undefined), Math.max(0, left)))]);
        if (at === undefined) timedOut++;
        else latencies.push(at - started);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  answers.sort((a, b) => a - b);
  // The REST answer's share of the latency: submit → 201 (the command is confirmed by the queue by then).
  return { filled: latencies.length, failed, timedOut, seconds, p50: pct(latencies, 50), p99: pct(latencies, 99), max: latencies.at(-1), answerP50: pct(answers, 50), answerP99: pct(answers, 99) };
}
