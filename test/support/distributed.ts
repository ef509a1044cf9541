import { expect } from 'vitest';
import { startServer, type RunningServer } from './server.js';
import { sleep, waitFor } from './wait.js';
import { gaps, TestClient } from './ws-client.js';

/**
 * Issue "Scale out over real engines", on any event log: one role per process, processors
 * SIGKILLed mid-stream. Ground truth is the tick log itself, read back by `produced()`.
 */
export const SYMBOLS = Array.from({ length: 20 }, (_, i) => `T${String(i + 1).padStart(2, '0')}`);
export const TOTAL = 20_000;

export interface Produced {
  seq: number;
  price: number;
}

export interface Cluster {
  readonly processes: RunningServer[];
  start(roles: string, env?: Record<string, string>): Promise<RunningServer>;
  stopAll(): Promise<void>;
}

/** Starts roles with `env` (the engines) plus the scenario's settings; remembers every process. */
export function cluster(env: Record<string, string>): Cluster {
  const processes: RunningServer[] = [];
  const common = { ...env, SYMBOLS: SYMBOLS.join(','), HISTORY_LIMIT: '5000', API_MAX_LIMIT: '5000' };
  return {
    processes,
    async start(roles, extra = {}) {
      const server = await startServer({ ...common, ROLES: roles, LOG_LEVEL: 'info', ...extra });
      processes.push(server);
      return server;
    },
    stopAll: async () => {
      await Promise.all(processes.map((p) => p.stop('SIGKILL')));
    },
  };
}

export const runningProcessors = (c: Cluster): RunningServer[] =>
  c.processes.filter((p) => p.logs.some((l) => (l.roles as string[] | undefined)?.includes('processor')) && p.process.exitCode === null && p.process.signalCode === null);

const json = async <T>(url: string): Promise<T> => (await fetch(url)).json() as Promise<T>;

export interface Clients {
  readonly gateways: RunningServer[];
  readonly clients: { client: TestClient; symbols: string[] }[];
}

/** Two gateways (with the REST api) and `count` clients spread over them, four symbols each. */
export async function gatewaysAndClients(c: Cluster, count = 50): Promise<Clients> {
  const gateways = await Promise.all([c.start('gateway,api'), c.start('gateway,api')]);
  const clients: { client: TestClient; symbols: string[] }[] = [];
  for (let i = 0; i < count; i++) {
    const symbols = [0, 1, 2, 3].map((k) => SYMBOLS[(i * 7 + k * 5) % SYMBOLS.length]!);
    const gateway = gateways[i % 2]!;
    clients.push({ client: await TestClient.connect(`${gateway.ws}?symbols=${symbols.join(',')}${i % 3 === 0 ? '&batch=1' : ''}`), symbols });
  }
  return { gateways, clients };
}

/** SIGKILLs a random running processor at each moment (ms after the call) and starts a new one. */
export async function killProcessorsAt(c: Cluster, moments: number[]): Promise<void> {
  let elapsed = 0;
  for (const at of [...moments].sort((a, b) => a - b)) {
    await sleep(at - elapsed);
    elapsed = at;
    const processors = runningProcessors(c);
    const victim = processors[Math.floor(Math.random() * processors.length)]!;
    await victim.stop('SIGKILL');
    await c.start('processor');
  }
}

/**
 * The checks of the scenario once the generator finished: the log holds seq 1..n per symbol, the
 * store applied each exactly once (its history is the log), the latest is the last produced, and
 * every client saw every seq of its symbols once, in order.
 */
export async function expectExactlyOnce(produced: Map<string, Produced[]>, { gateways, clients }: Clients, total = TOTAL): Promise<void> {
  expect([...produced.values()].reduce((n, list) => n + list.length, 0)).toBe(total);
  const api = gateways[0]!.http;
  await waitFor(async () => {
    const { quotes } = await json<{ quotes: { symbol: string; seq: number }[] }>(`${api}/api/v1/quotes`);
    return quotes.length === produced.size && quotes.every((q) => q.seq === produced.get(q.symbol)!.at(-1)!.seq);
  }, 'the store to hold the last tick of every symbol', 60_000, 200);

  for (const [symbol, list] of produced) {
    // Seqs are 1..n at the source: the log holds each once.
    expect(list.map((t) => t.seq)).toEqual(list.map((_, i) => i + 1));
    const { ticks } = await json<{ ticks: { seq: number; price: number }[] }>(`${api}/api/v1/ticks/${symbol}?limit=5000`);
    // Applied exactly once: the store's history is the log, tick for tick.
    expect(ticks.map((t) => t.seq).reverse()).toEqual(list.map((t) => t.seq));
    expect(ticks.map((t) => t.price).reverse()).toEqual(list.map((t) => t.price));
    const { data } = await json<{ data: { price: number } }>(`${api}/price/${symbol}`);
    expect(data.price).toBe(list.at(-1)!.price);
  }

  // Every client: every seq of each of its symbols, once, in order, from 1 to the last.
  await waitFor(() => clients.every(({ client, symbols }) => symbols.every((s) => client.ticks(s).at(-1)?.seq === produced.get(s)!.at(-1)!.seq)), 'every client to reach the last tick', 60_000, 100);
  for (const { client, symbols } of clients) {
    for (const s of symbols) {
      const seen = client.ticks(s);
      expect(gaps(seen)).toEqual([]);
      expect(seen[0]!.seq).toBe(1);
      expect(seen.length).toBe(produced.get(s)!.length);
    }
    expect(client.closed).toBeUndefined();
  }
}

/** Groups log records (ticks) by symbol, in seq order. */
export function bySymbol(ticks: Iterable<{ symbol: string; seq: number; price: number }>): Map<string, Produced[]> {
  const out = new Map<string, Produced[]>();
  for (const t of ticks) {
    const list = out.get(t.symbol) ?? [];
    list.push({ seq: t.seq, price: t.price });
    out.set(t.symbol, list);
  }
  for (const list of out.values()) list.sort((a, b) => a.seq - b.seq);
  return out;
}
